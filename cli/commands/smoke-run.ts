import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { EnvName } from '../../infra/environments.js';
import { toJUnit } from '../reports/junit.js';
import { runSmoke, smokeFailure } from '../smoke/run-smoke.js';
import { envArg } from './arg-parsers.js';
import { connect } from './connect.js';
import { ioOf } from './io-of.js';
import type { SmokeFlags } from './smoke.js';

/** `smoke --env <env>`: the run (imported only when the command is used). */
export const smoke = async (flags: SmokeFlags, command: Command): Promise<void> => {
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
};
