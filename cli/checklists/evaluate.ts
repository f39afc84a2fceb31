import type { ChecklistFile, Gate } from './checklist-schema.js';
import type { Confirmation, ItemEvidence } from './governance-store.js';
import type { ProbeResult } from './probe.js';

/**
 * Pure: a checklist's items with what the probes saw and what people confirmed, and whether
 * a gate may be signed. No I/O, so the rules are table-tested.
 */

/** The phases a gate covers, or the ones asked for (`--phase`), or all. */
export const selectPhases = (file: ChecklistFile, phases?: readonly string[]) =>
  phases?.length ? file.phases.filter((p) => phases.includes(p.id)) : file.phases;

export const evaluateItems = (
  file: ChecklistFile,
  phases: readonly string[] | undefined,
  probes: ReadonlyMap<string, ProbeResult>,
  confirmations: ReadonlyMap<string, Confirmation>,
): ItemEvidence[] =>
  selectPhases(file, phases).flatMap((phase) =>
    phase.sections.flatMap((section) =>
      section.items.map((item): ItemEvidence => {
        const base = {
          id: item.id,
          phase: phase.id,
          section: section.title,
          text: item.text,
          required: item.required,
        };
        if (item.check) {
          const seen = probes.get(item.check);
          if (!seen) {
            return {
              ...base,
              kind: 'check',
              status: 'open',
              detail: `probe ${item.check} not run`,
            };
          }
          return {
            ...base,
            kind: 'check',
            status: seen.ok ? 'pass' : 'fail',
            detail: `${seen.name}: ${seen.detail}`,
            ...(seen.value !== undefined ? { value: seen.value } : {}),
            at: seen.at,
          };
        }
        const confirmed = confirmations.get(item.id);
        return confirmed
          ? {
              ...base,
              kind: 'manual',
              status: 'confirmed',
              detail: confirmed.comment,
              value: { evidence: confirmed.evidence, callerArn: confirmed.callerArn },
              at: confirmed.at,
              by: confirmed.gitUser ? `${confirmed.actor} (${confirmed.gitUser})` : confirmed.actor,
            }
          : { ...base, kind: 'manual', status: 'open', detail: item.manual ?? '' };
      }),
    ),
  );

/** What keeps a gate shut: required items that neither passed nor were confirmed. */
export const gateBlockers = (gate: Gate, items: readonly ItemEvidence[]): ItemEvidence[] =>
  items.filter(
    (i) =>
      gate.phases.includes(i.phase) &&
      i.required &&
      i.status !== 'pass' &&
      i.status !== 'confirmed',
  );

export const summarize = (items: readonly ItemEvidence[]) => ({
  pass: items.filter((i) => i.status === 'pass').length,
  confirmed: items.filter((i) => i.status === 'confirmed').length,
  open: items.filter((i) => i.status === 'open').length,
  fail: items.filter((i) => i.status === 'fail').length,
});
