import type { LambdaApi } from '../aws/lambda-api.js';
import type { IoHost } from '../io/io-host.js';
import type { RunJournal } from '../journal/run-journal.js';
import { switchAlias } from '../steps/alias-switch.js';

/**
 * The run's single rollback. It reads where the alias is now rather than trusting what the
 * run believes it did (a crash may have come between UpdateAlias and the journal write):
 * if it is not exactly `versions.before` with no weights, it is put back and verified.
 */
export const restoreAlias = async (input: {
  lambda: LambdaApi;
  journal: RunJournal;
  io: IoHost;
  reason: string;
}): Promise<'not_needed' | 'rolled_back' | 'failed'> => {
  const { journal, io } = input;
  const before = journal.versions.before;
  if (!before) return 'not_needed';
  const at = new Date().toISOString();
  try {
    const current = await input.lambda.getAlias();
    if (current.version === before && Object.keys(current.weights).length === 0) {
      io.info('ALIAS_UNCHANGED', `alias still on version ${before}; nothing to roll back`);
      return 'not_needed';
    }
    io.warn(
      'ROLLING_BACK',
      `rolling back: alias on ${current.version}${Object.keys(current.weights).length ? ` with weights ${JSON.stringify(current.weights)}` : ''} → ${before}`,
    );
    await switchAlias(input.lambda, before);
    journal.rollback = { to: before, reason: input.reason, verified: true, at };
    journal.versions.after = before;
    journal.status = journal.status === 'interrupted' ? 'interrupted' : 'rolled_back';
    io.info('ROLLED_BACK', `rolled back: alias verified on version ${before}`);
    return 'rolled_back';
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
