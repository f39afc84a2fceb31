import type { Environment } from '../../infra/environments.js';
import type { AliasInfo, LambdaApi } from '../aws/lambda-api.js';
import type { IoHost } from '../io/io-host.js';
import type { RegionVersions, RunJournal } from '../journal/run-journal.js';
import { switchAlias } from '../steps/alias-switch.js';

/** The command that does by hand what a failed rollback could not. */
export const restoreByHand = (
  env: Pick<Environment, 'functionName' | 'alias'>,
  version: string | undefined,
): string =>
  `restore by hand: aws lambda update-alias --function-name ${env.functionName} --name ${env.alias} --function-version ${version} --routing-config AdditionalVersionWeights={}`;

/**
 * The alias is where this run could have put it: on the version it started from or on its
 * candidate, weighted only towards those two. Anything else was done by someone else (a
 * later run, a hand-made rollback) and is not this run's to undo.
 */
export const aliasIsOurs = (
  alias: AliasInfo,
  versions: Pick<RunJournal['versions'], 'before' | 'candidate'>,
): boolean => {
  const known = new Set([versions.before, versions.candidate].filter(Boolean) as string[]);
  return known.has(alias.version) && Object.keys(alias.weights).every((v) => known.has(v));
};

/** The alias carries no weights and is on the run's starting version or its candidate. */
export const aliasIsClean = (
  alias: AliasInfo,
  versions: Pick<RunJournal['versions'], 'before' | 'candidate'>,
): boolean => Object.keys(alias.weights).length === 0 && aliasIsOurs(alias, versions);

type RestoreOutcome = 'not_needed' | 'rolled_back' | 'foreign' | 'failed';

const withWeights = (alias: AliasInfo) =>
  Object.keys(alias.weights).length ? ` with weights ${JSON.stringify(alias.weights)}` : '';

/**
 * Reads where one region's alias is and puts it back on `before` (weights cleared,
 * read back) — unless it is already there, or someone else moved it (`foreign`, left alone and
 * `versions.after` set to where it is). `where` names a region other than the primary in the
 * messages. Throws when the switch fails.
 */
const putAliasBack = async (
  lambda: LambdaApi,
  versions: RegionVersions,
  before: string,
  io: IoHost,
  where?: string,
): Promise<Exclude<RestoreOutcome, 'failed'>> => {
  const prefix = where ? `${where}: ` : '';
  const current = await lambda.getAlias();
  if (current.version === before && Object.keys(current.weights).length === 0) {
    io.info('ALIAS_UNCHANGED', `${prefix}alias still on version ${before}; nothing to roll back`);
    return 'not_needed';
  }
  if (!aliasIsOurs(current, versions)) {
    versions.after = current.version;
    io.warn(
      'ALIAS_MOVED_BY_OTHERS',
      `${prefix}alias is on version ${current.version}${withWeights(current)}, which this run neither started from (${before}) nor deploys (${versions.candidate ?? 'none'}): someone else moved it; left as it is`,
    );
    return 'foreign';
  }
  io.warn(
    'ROLLING_BACK',
    `rolling back${where ? ` ${where}` : ''}: alias on ${current.version}${withWeights(current)} → ${before}`,
  );
  await switchAlias(lambda, before);
  versions.after = before;
  io.info('ROLLED_BACK', `${prefix}rolled back: alias verified on version ${before}`);
  return 'rolled_back';
};

/**
 * The run's single rollback. It reads where the alias is now rather than trusting what the
 * run believes it did (a crash may have come between UpdateAlias and the journal write):
 * if it is not exactly `versions.before` with no weights, it is put back and verified —
 * unless someone else has moved it since (`foreign`), which is reported and left alone.
 */
export const restoreAlias = async (input: {
  lambda: LambdaApi;
  journal: RunJournal;
  io: IoHost;
  reason: string;
}): Promise<RestoreOutcome> => {
  const { journal } = input;
  const before = journal.versions.before;
  if (!before) return 'not_needed';
  const at = new Date().toISOString();
  try {
    const outcome = await putAliasBack(input.lambda, journal.versions, before, input.io);
    if (outcome === 'rolled_back') {
      journal.rollback = { to: before, reason: input.reason, verified: true, at };
      journal.status = journal.status === 'interrupted' ? 'interrupted' : 'rolled_back';
    }
    return outcome;
  } catch (error) {
    journal.rollback = {
      to: before,
      reason: input.reason,
      verified: false,
      at,
      error: (error as Error).message,
    };
    journal.status = 'rollback_failed';
    return 'failed';
  }
};

/**
 * The same rollback in PROD's failover region: back to the version it was on before this run
 * moved it (its own number), unless someone else has moved it since.
 */
export const restoreFailoverAlias = async (input: {
  lambda: LambdaApi;
  journal: RunJournal;
  io: IoHost;
}): Promise<RestoreOutcome> => {
  const failover = input.journal.failover;
  const before = failover?.before;
  if (!failover || !before) return 'not_needed';
  const at = new Date().toISOString();
  try {
    const outcome = await putAliasBack(
      input.lambda,
      failover,
      before,
      input.io,
      failover.region ?? 'the failover region',
    );
    if (outcome === 'rolled_back') failover.rollback = { to: before, verified: true, at };
    return outcome;
  } catch (error) {
    failover.rollback = { to: before, verified: false, at, error: (error as Error).message };
    return 'failed';
  }
};
