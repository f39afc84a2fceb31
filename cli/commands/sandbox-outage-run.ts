import type { Command } from 'commander';
import { PromoteError } from '../errors.js';
import { control, ioOf, requireRunning } from './sandbox-run.js';

/** The flags of `promote sandbox outage`. */
export interface OutageFlags {
  readonly region: string;
  readonly down?: boolean;
  readonly up?: boolean;
}

interface OutageAnswer {
  readonly outages: ReadonlyArray<{ readonly region: string; readonly since: string }>;
}

/**
 * `promote sandbox outage --region <r> --down|--up`: takes one of the sandbox's regions down
 * for a DR drill, or brings it back (the run; registered in sandbox.ts). A region the sandbox
 * does not model is refused by the daemon (exit 2).
 */
export const sandboxOutage = async (flags: OutageFlags, command: Command): Promise<void> => {
  const io = ioOf(command);
  if (Boolean(flags.down) === Boolean(flags.up)) {
    throw new PromoteError('usage', 'SANDBOX_OUTAGE_FLAGS', 'give exactly one of --down or --up');
  }
  const down = Boolean(flags.down);
  const state = await requireRunning();
  const answer = await control<OutageAnswer>(state.endpoint, 'outage', {
    method: 'POST',
    body: { region: flags.region, down },
  });
  if (!answer) {
    throw new PromoteError(
      'sandbox_unavailable',
      'SANDBOX_NOT_RUNNING',
      'the sandbox did not answer',
      'check it with: npx promote sandbox status',
    );
  }
  io.info(
    'SANDBOX_OUTAGE',
    down
      ? `${flags.region} is down: every AWS call signed for it answers 503 ServiceUnavailable, its API fronts answer 503, its replicas neither send nor receive`
      : `${flags.region} is back up; replication held by the outage resumes`,
  );
  const still = answer.outages.map((o) => `${o.region} (since ${o.since})`);
  io.result(still.length ? `regions down: ${still.join(', ')}` : 'no region is down');
  io.document({ ok: true, region: flags.region, down, outages: answer.outages });
};
