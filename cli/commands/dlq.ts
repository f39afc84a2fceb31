import { type Command, Option } from 'commander';
import { ENV_NAMES } from '../../infra/environments.js';
import { numberIn } from './arg-parsers.js';

export interface DlqFlags {
  show: number;
  redrive?: boolean;
  dryRun?: boolean;
  max?: number;
}

/** How many messages a redrive takes when `--max` is not given. */
export const DEFAULT_REDRIVE_MAX = 100;

/** Registers `dlq <env>`: look at the env's EventBridge DLQ, or redrive it. */
export const registerDlqCommand = (program: Command): void => {
  program
    .command('dlq')
    .description(
      "the env's EventBridge dead-letter queue: depth, oldest age, failed events (PII masked); --redrive sends them back to the targets that failed them",
    )
    .argument('<env>', ENV_NAMES.join(' | '))
    .addOption(
      new Option('--show <n>', 'messages to show (they stay in the queue)')
        .argParser(numberIn(0, 100))
        .default(5),
    )
    .option('--redrive', 'send each message to the target that failed it; delete it once accepted')
    .option('--dry-run', 'with --redrive: list what would be sent where, change nothing')
    .addOption(
      new Option(
        '--max <n>',
        `with --redrive: at most this many messages (default ${DEFAULT_REDRIVE_MAX})`,
      ).argParser(numberIn(1, 10_000)),
    )
    .addHelpText(
      'after',
      `
Examples:
  $ promote dlq sit                          depth, oldest age and the 5 oldest messages
  $ promote dlq prod --show 20 --json        one JSON document (bodies masked)
  $ promote dlq sit --redrive --dry-run      what a redrive would send, and where
  $ promote dlq sit --redrive --max 10 --yes`,
    )
    .action(async (env: string, flags: DlqFlags, command: Command) => {
      const { dlq } = await import('./dlq-run.js');
      await dlq(env, flags, command);
    });
};
