import type { StateApi, StateItem } from '../aws/state-api.js';

/**
 * Checklist evidence, manual confirmations and gate sign-offs, kept in the environment's
 * state table beside the lock and the journals: in the env's account, outliving the laptop or
 * runner that made them, readable by the next environment's preflight.
 */

/** Who did something: the caller's ARN (from STS) and the operator's git identity. */
export interface Actor {
  readonly actor: string;
  readonly callerArn: string;
  readonly gitUser?: string;
}

export interface Confirmation extends Actor {
  readonly itemId: string;
  readonly at: string;
  /** A URL, or a file recorded as `<path> sha256:<hex>`. */
  readonly evidence: string;
  readonly comment: string;
  /** The package live in the environment when it was confirmed. */
  readonly codeSha256?: string;
}

/** One item's state in a checklist run. */
export interface ItemEvidence {
  readonly id: string;
  readonly phase: string;
  readonly section: string;
  readonly text: string;
  readonly kind: 'check' | 'manual';
  readonly required: boolean;
  readonly status: 'pass' | 'fail' | 'confirmed' | 'open';
  readonly detail: string;
  /** What the probe saw (check), or the confirmation's evidence (manual). */
  readonly value?: unknown;
  readonly at?: string;
  readonly by?: string;
}

export interface ChecklistRunRecord extends Actor {
  readonly id: string;
  readonly env: string;
  readonly at: string;
  readonly phases: readonly string[];
  /** The package live in the environment when the probes ran. */
  readonly codeSha256?: string;
  readonly liveVersion?: string;
  readonly items: readonly ItemEvidence[];
}

export interface GateRecord extends Actor {
  readonly gate: string;
  readonly title: string;
  readonly env: string;
  readonly at: string;
  /** The package signed off: what PROD must ship byte for byte. */
  readonly codeSha256: string;
  readonly version?: string;
  readonly release?: string;
  readonly checklistRunId: string;
  readonly approverRole: string;
  readonly summary: { pass: number; confirmed: number; open: number; fail: number };
}

const CONFIRM = (itemId: string) => `confirm#${itemId}`;
const RUNS = 'checklist-run';
const GATE = (gate: string) => `gate#${gate}`;

/** Records are stored as one JSON attribute: the table's schema stays pk/sk only. */
const decode = <T>(item: StateItem | undefined): T | undefined =>
  typeof item?.json === 'string' ? (JSON.parse(item.json) as T) : undefined;

export class GovernanceStore {
  constructor(private readonly state: StateApi) {}

  async confirm(c: Confirmation): Promise<void> {
    await this.state.put({ pk: CONFIRM(c.itemId), sk: c.at, json: JSON.stringify(c) });
  }

  /** Newest first. */
  async confirmations(itemId: string, limit = 20): Promise<Confirmation[]> {
    const items = await this.state.query(CONFIRM(itemId), limit);
    return items.map((i) => decode<Confirmation>(i)).filter((c) => c !== undefined);
  }

  async saveRun(run: ChecklistRunRecord): Promise<void> {
    await this.state.put({ pk: RUNS, sk: `${run.at}#${run.id}`, json: JSON.stringify(run) });
  }

  async latestRun(): Promise<ChecklistRunRecord | undefined> {
    return decode<ChecklistRunRecord>((await this.state.query(RUNS, 1))[0]);
  }

  async signoff(record: GateRecord): Promise<void> {
    await this.state.put(
      { pk: GATE(record.gate), sk: record.at, json: JSON.stringify(record) },
      { expression: 'attribute_not_exists(pk)' },
    );
  }

  /** Sign-offs of a gate, newest first. */
  async gates(gate: string, limit = 50): Promise<GateRecord[]> {
    const items = await this.state.query(GATE(gate), limit);
    return items.map((i) => decode<GateRecord>(i)).filter((g) => g !== undefined);
  }

  /** The newest sign-off of `gate` for exactly this package, if any. */
  async signedOff(gate: string, codeSha256: string): Promise<GateRecord | undefined> {
    return (await this.gates(gate)).find((g) => g.codeSha256 === codeSha256);
  }
}
