import type { IoHost } from '../io/io-host.js';
import type { RunJournal, StepRecord } from '../journal/run-journal.js';
import { switchAlias } from '../steps/alias-switch.js';
import type { RegionalApis } from '../steps/step-context.js';

/**
 * `rollback prod` in the failover region: the package (CodeSha256) the primary was rolled back
 * to identifies the version there — the numbers differ between regions. Runs after the
 * primary, which serves traffic; it never undoes that. When the region does not hold the
 * package or cannot be reached (the very outage a DR drill is about), the primary's rollback
 * stands and the drift is said loudly and journaled (`promote status prod` shows it).
 */
export const rollbackRegion = async (input: {
  regional: RegionalApis;
  codeSha256: string;
  journal: RunJournal;
  step: StepRecord;
  io: IoHost;
}): Promise<'rolled_back' | 'unchanged' | 'drift'> => {
  const { regional, journal, step, io } = input;
  const region = regional.region;
  step.state = 'running';
  step.startedAt = new Date().toISOString();
  const drift = (why: string) => {
    step.state = 'failed';
    step.error = { code: 'REGION_DRIFT', message: why };
    step.finishedAt = new Date().toISOString();
    io.warn(
      'REGION_DRIFT',
      `${region}: ${why}; the primary's rollback stands — fix ${region} by hand`,
    );
    return 'drift' as const;
  };
  try {
    const alias = await regional.lambda.getAlias();
    const versions = await regional.lambda.listVersions();
    const target = versions.filter((v) => v.codeSha256 === input.codeSha256).pop();
    journal.failover = {
      region,
      before: alias.version,
      ...(target ? { candidate: target.version } : {}),
    };
    if (!target) {
      return drift(
        `no version holds CodeSha256 ${input.codeSha256} (alias stays on ${alias.version})`,
      );
    }
    if (alias.version !== target.version || Object.keys(alias.weights).length > 0) {
      await switchAlias(regional.lambda, target.version);
    }
    journal.failover.after = target.version;
    step.state = 'succeeded';
    step.finishedAt = new Date().toISOString();
    step.evidence = { from: alias.version, fromWeights: alias.weights, to: target.version };
    io.info(
      'ROLLED_BACK',
      `${region}: alias ${alias.version} → ${target.version} (same package), verified`,
    );
    return alias.version === target.version ? 'unchanged' : 'rolled_back';
  } catch (error) {
    return drift(`could not be rolled back: ${(error as Error).message}`);
  }
};
