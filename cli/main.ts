import { Command, CommanderError } from 'commander';
import { explainAwsError } from './aws/aws-errors.js';
import { registerBackupCommand } from './commands/backup.js';
import { registerChecklistCommands } from './commands/checklist.js';
import { registerDlqCommand } from './commands/dlq.js';
import { registerEventsCommands } from './commands/events.js';
import { registerFailoverCommands } from './commands/failover.js';
import { registerInspectCommands } from './commands/inspect.js';
import { registerLoadCommand } from './commands/load.js';
import { registerPromoteCommands } from './commands/promote.js';
import { registerReleaseCommand } from './commands/release.js';
import { registerReportCommand } from './commands/report.js';
import { registerRestoreCommand } from './commands/restore.js';
import { registerRollbackCommand } from './commands/rollback.js';
import { registerSandboxCommands } from './commands/sandbox.js';
import { registerSmokeCommand } from './commands/smoke.js';
import { registerWatchCommand } from './commands/watch.js';
import { EXIT_CODES, PromoteError } from './errors.js';
import { explainSandboxError } from './sandbox-errors.js';

export const buildProgram = (): Command => {
  const program = new Command('promote')
    .description(
      'Carries order-lambda DEV → SIT → PROD by executing promotion plan PROM-ORDER-002 as code.',
    )
    .option('--sandbox', 'target the local sandbox (started if not running)')
    .option('--profile <name>', "AWS profile to use (default: the environment's, e.g. Tebogo-sit)")
    .option('-y, --yes', 'answer yes to every approval prompt (required in CI)')
    .option('--ci', 'non-interactive: plain line output, never prompt (implied by CI=true)')
    .option('--json', 'print only a JSON document on stdout')
    .option('-v, --verbose', 'show debug detail')
    .option('--no-color', 'disable colours (also NO_COLOR)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerPromoteCommands(program);
  registerRollbackCommand(program);
  registerFailoverCommands(program);
  registerSmokeCommand(program);
  registerLoadCommand(program);
  registerInspectCommands(program);
  registerReleaseCommand(program);
  registerSandboxCommands(program);
  registerChecklistCommands(program);
  registerBackupCommand(program);
  registerRestoreCommand(program);
  registerDlqCommand(program);
  registerEventsCommands(program);
  registerReportCommand(program);
  registerWatchCommand(program);
  program.addHelpText(
    'after',
    `
Examples:
  $ npx promote sit --sandbox --yes        the SIT plan end to end on the local sandbox
  $ promote prod --profile Tebogo-prod      the PROD plan against AWS
  $ rollback prod --to 41 --reason "…"      instant, verified alias switch
  $ smoke --env sit                         the plan's 11 smoke tests (SIT_TOKEN)
  $ promote plan prod                       every step and threshold, without running

Exit codes: 0 ok · 1 internal · 2 usage · 3 preflight blocked · 4 approval declined ·
5 gate failed, rolled back · 6 rollback failed · 7 lock held · 8 sandbox unavailable ·
9 smoke failed · 10 deploy failed · 11 AWS unreachable · 12 throttled ·
13 access denied · 130 interrupted`,
  );
  return program;
};

/** The names `bin/promote.mjs` answers to, mapped onto subcommands. */
const ALIASES: Record<string, string> = { rollback: 'rollback', smoke: 'smoke' };

/**
 * Runs the CLI and returns the exit code (README § Exit codes). Errors are printed once,
 * as a message and a hint — never a stack trace unless --verbose.
 */
export const main = async (argv: readonly string[], invokedAs = 'promote'): Promise<number> => {
  const program = buildProgram();
  const alias = ALIASES[invokedAs];
  const args = alias ? [alias, ...argv] : [...argv];
  try {
    await program.parseAsync(args, { from: 'user' });
    return EXIT_CODES.ok;
  } catch (raw) {
    const error = explainAwsError(explainSandboxError(raw));
    if (error instanceof CommanderError) {
      // Help and version are not failures; commander already printed the usage error.
      return error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
    }
    const json = argv.includes('--json');
    const verbose = argv.includes('--verbose') || argv.includes('-v');
    if (error instanceof PromoteError) {
      if (json) {
        process.stdout.write(
          `${JSON.stringify({ ok: false, error: { code: error.code, reason: error.reason, message: error.message, hint: error.hint, exit_code: error.exitCode, ...(error.details ? { details: error.details } : {}) } }, null, 2)}\n`,
        );
      } else {
        process.stderr.write(`✖ ${error.message} [${error.code}]\n`);
        if (error.hint) process.stderr.write(`  → ${error.hint}\n`);
        if (verbose && error.cause) process.stderr.write(`  caused by: ${String(error.cause)}\n`);
      }
      return error.exitCode;
    }
    process.stderr.write(`✖ internal error: ${(error as Error).message}\n`);
    if (verbose && (error as Error).cause) {
      process.stderr.write(`  caused by: ${String((error as Error).cause)}\n`);
    }
    if (verbose) process.stderr.write(`${(error as Error).stack}\n`);
    else process.stderr.write('  → re-run with --verbose for details\n');
    return EXIT_CODES.internal;
  }
};
