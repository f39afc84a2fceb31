import { writeFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { ENV_NAMES, type EnvName } from '../plans/environments.js';
import { toJUnit } from '../reports/junit.js';
import { runSmoke, smokeFailure } from '../smoke/run-smoke.js';
import { SMOKE_TEST_IDS } from '../smoke/smoke-suite.js';
import { envArg } from './arg-parsers.js';
import { connect } from './connect.js';
import { ioOf } from './io-of.js';

interface SmokeFlags {
  env: string;
  only?: string;
  junit?: string;
  baseUrl?: string;
  token?: string;
  readOnly?: boolean;
  sandbox?: boolean;
  profile?: string;
}

/** Registers `smoke --env <env>` (the bin also answers to `smoke`). */
export const registerSmokeCommand = (program: Command): void => {
  program
    .command('smoke')
    .description("run the plan's 11 smoke tests over HTTP against an environment's API")
    .addOption(new Option('--env <env>', ENV_NAMES.join(' | ')).makeOptionMandatory())
    .option(
      '--only <ids>',
      `comma-separated subset (dependencies are added): ${SMOKE_TEST_IDS.join(',')}`,
    )
    .option('--read-only', 'only the tests that write nothing (health, list)')
    .option('--junit <file>', 'write JUnit XML for CI test reporting')
    .option('--base-url <url>', "API origin (default: the environment's, or the sandbox front)")
    .option('--token <jwt>', 'bearer token (default: <ENV>_TOKEN, or minted in the sandbox)')
    .addHelpText(
      'after',
      `
Examples:
  $ SIT_TOKEN=… smoke --env sit
  $ smoke --env sit --sandbox --only create,get --junit smoke.xml
  $ promote smoke --env prod --read-only --json`,
    )
    .action(async (flags: SmokeFlags, command: Command) => {
      const io = ioOf(command);
      const all = command.optsWithGlobals() as SmokeFlags;
      const env: EnvName = envArg(flags.env);
      const conn = await connect(env, all, io);
      const tokens = await conn.smokeTokens();
      const report = await runSmoke({
        baseUrl: flags.baseUrl ?? conn.target.apiBaseUrl,
        token: tokens.token,
        ...(tokens.adminToken ? { adminToken: tokens.adminToken } : {}),
        ...(flags.only
          ? {
              only: flags.only
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean),
            }
          : {}),
        readOnly: flags.readOnly === true,
        onResult: (r) =>
          io.info(
            'SMOKE_RESULT',
            `${r.ok ? io.color.green('✔') : r.skipped ? io.color.yellow('↷') : io.color.red('✖')} ${String(r.number).padStart(2)}. ${r.title}${r.status ? ` (${r.status})` : ''}${r.ok ? '' : ` — ${r.skipped ? 'skipped: a test it depends on failed' : r.reason}`}`,
          ),
      });
      if (flags.junit) writeFileSync(flags.junit, toJUnit(report, `smoke ${env}`));
      io.info(
        'SMOKE_DONE',
        `${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped against ${report.baseUrl}`,
      );
      for (const left of report.leftBehind) {
        io.warn('SMOKE_LEFT_BEHIND', `order ${left.orderId} left behind: ${left.reason}`);
      }
      const failure = smokeFailure(report);
      if (failure) throw failure;
      io.document({ ok: true, env, report });
    });
};
