import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PromoteError } from '../errors.js';
import { countAroundBackup } from '../ops/backup-counts.js';
import { documentClientOf } from '../ops/table-counts.js';
import { sleep } from './sleep.js';
import type { StepContext, StepModule } from './step-context.js';

/** `orders-prod-pre-deployment-20260221-100000`, in UTC like `date +%Y%m%d-%H%M%S` on a server. */
export const backupName = (prefix: string, now: Date): string => {
  const iso = now.toISOString();
  return `${prefix}-${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
};

const BACKUP_TIMEOUT_MS = 15 * 60_000;

/** Where a run's files go: `.promote/runs/<env>/<runId>/`. */
export const runDir = (ctx: Pick<StepContext, 'options' | 'journal'>): string =>
  join(ctx.options.home, 'runs', ctx.journal.env, ctx.journal.runId);

/**
 * The plan's Step 1 evidence before a prod change: PITR on, an on-demand backup of the
 * orders table (waited on until AVAILABLE), and the function's pre-deployment snapshot.
 * Around the backup it counts the table's items per status (cli/ops/backup-counts.ts) and
 * journals them with the backup: what `promote restore` later checks a restore against.
 */
export const backup: StepModule<'backup'> = {
  kind: 'backup',
  title: (_spec, plan) => `Backup ${plan.env.tableName} and snapshot ${plan.env.functionName}`,
  async run(ctx) {
    const { dynamodb, lambda } = ctx.apis;
    const pitr = await dynamodb.pitrEnabled();
    ctx.record.evidence.pitr = pitr;
    if (ctx.plan.requirePitr && !pitr) {
      throw new PromoteError(
        'preflight_blocked',
        'PITR_DISABLED',
        `point-in-time recovery is off on ${ctx.plan.env.tableName}; the plan requires it in ${ctx.plan.env.name}`,
        `enable it (terraform: point_in_time_recovery { enabled = true }) and run again`,
      );
    }
    const name = backupName(ctx.plan.backupPrefix, new Date());
    const counted = await countAroundBackup(
      documentClientOf(ctx.target),
      ctx.plan.env.tableName,
      () => dynamodb.createBackup(name),
    );
    let info = counted.backup;
    ctx.journal.backups.push({
      arn: info.arn,
      name: info.name,
      status: info.status,
      ...('counts' in counted ? { counts: counted.counts } : { countsError: counted.error }),
    });
    if ('counts' in counted) {
      const { total, tolerance } = counted.counts;
      ctx.progress(
        `${total} items counted${tolerance ? ` (± ${tolerance}: writes meanwhile)` : ''}`,
      );
    } else {
      // The backup stands without its counts: a restore of it then checks less (the report says).
      ctx.progress(`items not counted: ${counted.error}`);
    }
    await ctx.save();
    const deadline = Date.now() + BACKUP_TIMEOUT_MS;
    while (info.status !== 'AVAILABLE') {
      if (ctx.signal.aborted) {
        // Ctrl-C is an interruption (exit 130, journal `interrupted`), not a failed deploy.
        throw new PromoteError(
          'interrupted',
          'INTERRUPTED',
          `interrupted while backup ${name} was ${info.status}; nothing was deployed`,
        );
      }
      if (info.status === 'DELETED' || Date.now() > deadline) {
        throw new PromoteError(
          'deploy_failed',
          'BACKUP_NOT_AVAILABLE',
          `backup ${name} is ${info.status}; nothing was deployed`,
        );
      }
      ctx.progress(`backup ${name}: ${info.status}`);
      await sleep(2_000, ctx.signal);
      info = await dynamodb.describeBackup(info.arn);
    }
    const entry = ctx.journal.backups.find((b) => b.arn === info.arn);
    if (entry) entry.status = info.status;
    const dir = runDir(ctx);
    mkdirSync(dir, { recursive: true });
    const snapshotPath = join(dir, 'pre-deployment-snapshot.json');
    writeFileSync(snapshotPath, `${JSON.stringify(await lambda.snapshot(), null, 2)}\n`);
    ctx.record.evidence.backup = {
      arn: info.arn,
      name,
      status: info.status,
      sizeBytes: info.sizeBytes,
    };
    ctx.record.evidence.snapshot = snapshotPath;
    ctx.progress(`backup ${name} AVAILABLE; snapshot saved`);
  },
};
