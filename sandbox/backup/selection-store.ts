import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * AWS Backup selections (resource assignments), which moto does not implement. Kept in one
 * JSON file, rewritten atomically (temp file + rename) on every change, so they survive a
 * restart.
 *
 * A selection belongs to a plan by the plan's *name*, within an account and region, not by
 * its id: moto keeps plans in memory and a restarted sandbox rebuilds them by replaying its
 * journal, which gives each plan a new id. A name stands for one plan at a time, because
 * moto refuses a second plan of the same name and the handler refuses to delete a plan that
 * still has selections (as AWS does), so a selection never outlives its plan.
 */

/** The `BackupSelection` structure of the AWS Backup API, as the caller sent it. */
export interface BackupSelectionBody {
  readonly SelectionName: string;
  readonly IamRoleArn: string;
  readonly Resources?: string[];
  readonly ListOfTags?: Array<{
    ConditionType: string;
    ConditionKey: string;
    ConditionValue: string;
  }>;
  readonly NotResources?: string[];
  readonly Conditions?: Record<string, Array<{ ConditionKey?: string; ConditionValue?: string }>>;
}

export interface StoredSelection {
  readonly account: string;
  readonly region: string;
  readonly planName: string;
  readonly selectionId: string;
  /** Epoch seconds, with milliseconds (AWS Backup's timestamp format on the wire). */
  readonly creationDate: number;
  readonly creatorRequestId?: string;
  readonly selection: BackupSelectionBody;
}

interface PlanRef {
  readonly account: string;
  readonly region: string;
  readonly planName: string;
}

const samePlan = (a: PlanRef, b: PlanRef) =>
  a.account === b.account && a.region === b.region && a.planName === b.planName;

export class BackupSelectionStore {
  private selections: StoredSelection[] = [];

  constructor(private readonly path: string) {
    if (!existsSync(path)) return;
    const saved = JSON.parse(readFileSync(path, 'utf8')) as { selections?: StoredSelection[] };
    this.selections = saved.selections ?? [];
  }

  /** The plan's selections, oldest first. */
  list(plan: PlanRef): StoredSelection[] {
    return this.selections
      .filter((s) => samePlan(s, plan))
      .sort((a, b) => a.creationDate - b.creationDate);
  }

  get(plan: PlanRef, selectionId: string): StoredSelection | undefined {
    return this.selections.find((s) => samePlan(s, plan) && s.selectionId === selectionId);
  }

  create(
    plan: PlanRef,
    selection: BackupSelectionBody,
    creatorRequestId?: string,
  ): StoredSelection {
    const stored: StoredSelection = {
      account: plan.account,
      region: plan.region,
      planName: plan.planName,
      selectionId: randomUUID(),
      creationDate: Date.now() / 1000,
      ...(creatorRequestId ? { creatorRequestId } : {}),
      selection,
    };
    this.selections.push(stored);
    this.save();
    return stored;
  }

  /** True when it existed. */
  delete(plan: PlanRef, selectionId: string): boolean {
    const before = this.selections.length;
    this.selections = this.selections.filter(
      (s) => !(samePlan(s, plan) && s.selectionId === selectionId),
    );
    if (this.selections.length === before) return false;
    this.save();
    return true;
  }

  private save(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ selections: this.selections }, null, 2));
    renameSync(tmp, this.path);
  }
}
