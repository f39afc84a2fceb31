import type { Command } from 'commander';
import { ENV_NAMES } from '../../infra/environments.js';

/** `promote report`'s own flags. */
export interface ReportFlags {
  open?: boolean;
}

/** Registers `promote report <env> [runId]`: the path of a run's HTML report. */
export const registerReportCommand = (program: Command): void => {
  program
    .command('report')
    .description("print the path of a run's HTML report (default: the env's latest run)")
    .argument('<env>', ENV_NAMES.join(' | '))
    .argument('[runId]', 'a run id (promote history <env> lists them)')
    .option('--open', 'open it in a browser when there is a display (else just print it)')
    .addHelpText(
      'after',
      `
Runs from before report.html existed are rendered from their journal on demand.

Examples:
  $ promote report prod
  $ promote report sit 20261128T101500Z-3f9a --open
  $ promote report prod --json`,
    )
    .action(
      async (env: string, runId: string | undefined, flags: ReportFlags, command: Command) => {
        const { reportCommand } = await import('./report-run.js');
        await reportCommand(env, runId, flags, command);
      },
    );
};
