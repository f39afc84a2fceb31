import { claimEngineLock, EngineDirBusy } from '../../sandbox/engines/engine-lock.js';
import { startDynamoDbLocal, startMoto } from '../../sandbox/engines/local-engines.js';

/**
 * A separate process for engine-orphans.test.ts, which must kill it without killing vitest.
 *   engines              start DynamoDB Local (in memory, as the global setup does) and moto,
 *                        print {"dynamo":pid,"moto":pid}, then wait to be killed
 *   claim <file> <dir>   try to take the engine lock; print "won" (and hold it until stdin
 *                        closes) or "busy"
 */

const [mode, ...args] = process.argv.slice(2);
const holdUntilStdinCloses = () =>
  new Promise<void>((resolve) => {
    process.stdin.on('data', () => {});
    process.stdin.on('end', resolve);
    process.stdin.on('close', resolve);
  });

if (mode === 'engines') {
  const [dynamo, moto] = await Promise.all([startDynamoDbLocal(), startMoto()]);
  process.stdout.write(`${JSON.stringify({ dynamo: dynamo.pid, moto: moto.pid })}\n`);
  await new Promise(() => setInterval(() => {}, 60_000));
} else if (mode === 'claim') {
  const [file, dataDir] = args as [string, string];
  try {
    const lock = await claimEngineLock({ file, dataDir });
    process.stdout.write('won\n');
    await holdUntilStdinCloses();
    lock.release();
  } catch (error) {
    process.stdout.write(error instanceof EngineDirBusy ? 'busy\n' : `error ${error}\n`);
  }
  process.exit(0);
} else {
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exit(2);
}
