import { randomBytes } from 'node:crypto';
import type { ChecklistFile, ProbeName } from './checklist-schema.js';
import { evaluateItems, selectPhases } from './evaluate.js';
import type {
  Actor,
  ChecklistRunRecord,
  Confirmation,
  GovernanceStore,
} from './governance-store.js';
import { type Probe, type ProbeContext, type ProbeResult, runProbe } from './probe.js';

/** The probes the chosen phases name, each run once (several items may share one). */
export const probesOf = (file: ChecklistFile, phases?: readonly string[]): ProbeName[] => [
  ...new Set(
    selectPhases(file, phases).flatMap((p) =>
      p.sections.flatMap((s) => s.items.flatMap((i) => (i.check ? [i.check] : []))),
    ),
  ),
];

/**
 * A manual item's confirmation counts for the current cycle only: made after the last
 * sign-off of the gate that covers it, so Gate 4 of the next release asks again.
 */
const currentConfirmations = async (
  file: ChecklistFile,
  phases: readonly string[] | undefined,
  governance: GovernanceStore,
): Promise<Map<string, Confirmation>> => {
  const since = new Map<string, string | undefined>();
  for (const gate of file.gates) since.set(gate.id, (await governance.gates(gate.id, 1))[0]?.at);
  const out = new Map<string, Confirmation>();
  const manual = selectPhases(file, phases).flatMap((p) =>
    p.sections.flatMap((s) => s.items.filter((i) => i.manual).map((i) => ({ phase: p.id, i }))),
  );
  await Promise.all(
    manual.map(async ({ phase, i }) => {
      const gate = file.gates.find((g) => g.phases.includes(phase));
      const after = gate ? since.get(gate.id) : undefined;
      const found = (await governance.confirmations(i.id, 10)).find((c) => !after || c.at > after);
      if (found) out.set(i.id, found);
    }),
  );
  return out;
};

/** Runs the probes of the chosen phases, reads the confirmations, and stores the evidence. */
export const runChecklist = async (options: {
  readonly file: ChecklistFile;
  readonly phases?: readonly string[];
  readonly ctx: ProbeContext;
  readonly registry: Readonly<Record<ProbeName, Probe>>;
  readonly governance: GovernanceStore;
  readonly actor: Actor;
  readonly liveVersion?: string;
  readonly onProbe?: (result: ProbeResult) => void;
}): Promise<ChecklistRunRecord> => {
  const { file, phases, ctx } = options;
  const results = await Promise.all(
    probesOf(file, phases).map(async (name) => {
      const result = await runProbe(name, options.registry, ctx);
      options.onProbe?.(result);
      return result;
    }),
  );
  const confirmations = await currentConfirmations(file, phases, options.governance);
  const at = (ctx.now?.() ?? new Date()).toISOString();
  const record: ChecklistRunRecord = {
    id: `chk-${at.replace(/[-:.TZ]/g, '').slice(0, 14)}-${randomBytes(3).toString('hex')}`,
    env: file.env,
    at,
    phases: selectPhases(file, phases).map((p) => p.id),
    ...(ctx.codeSha256 ? { codeSha256: ctx.codeSha256 } : {}),
    ...(options.liveVersion ? { liveVersion: options.liveVersion } : {}),
    ...options.actor,
    items: evaluateItems(file, phases, new Map(results.map((r) => [r.probe, r])), confirmations),
  };
  await options.governance.saveRun(record);
  return record;
};
