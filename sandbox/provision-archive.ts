import {
  CreateArchiveCommand,
  DeleteArchiveCommand,
  DescribeArchiveCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  EventBridgeClient,
} from '@aws-sdk/client-eventbridge';
import type { Environment } from '../infra/environments.js';

/**
 * The env's EventBridge archive `<bus>-archive`, for `promote events replay` — terraform's
 * `aws_cloudwatch_event_archive.orders` (terraform/modules/events/main.tf).
 *
 * It archives the bus the order rule is on, found by asking for the rule: a replay can only
 * reach rules of the archive's own bus. Terraform puts the rule on `order-events-<env>`; the
 * sandbox provisions it on the default bus (where upstream services publish, and where the
 * plan's `aws events describe-rule --name …` finds it), so here the archive is on the default
 * bus. Same archive name either way, so the CLI finds it by name and takes the bus from it.
 */

/** terraform/variables.tf `event_archive_retention_days` (its default, used by every env). */
export const ARCHIVE_RETENTION_DAYS = 30;

export const archiveNameOf = (env: Pick<Environment, 'eventBus'>) => `${env.eventBus}-archive`;

export const provisionArchive = async (
  env: Environment,
  config: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  },
  step: (name: string, action: () => Promise<unknown>) => Promise<void>,
): Promise<void> => {
  const events = new EventBridgeClient(config);
  const rule = await events.send(new DescribeRuleCommand({ Name: env.eventRule }));
  const busName = rule.EventBusName ?? 'default';
  const bus = await events.send(new DescribeEventBusCommand({ Name: busName }));
  const sourceArn = bus.Arn ?? '';
  const name = archiveNameOf(env);
  const existing = await events
    .send(new DescribeArchiveCommand({ ArchiveName: name }))
    .catch(() => undefined);
  // Left on another bus by an older sandbox (the rule moved): an archive cannot change bus.
  if (existing && existing.EventSourceArn !== sourceArn) {
    await events.send(new DeleteArchiveCommand({ ArchiveName: name }));
  }
  await step(`archive ${name} on bus ${busName}`, () =>
    events.send(
      new CreateArchiveCommand({
        ArchiveName: name,
        EventSourceArn: sourceArn,
        Description: `events of ${busName} for replay (promote events replay ${env.name})`,
        RetentionDays: ARCHIVE_RETENTION_DAYS,
      }),
    ),
  );
};
