import { randomBytes } from 'node:crypto';
import type { EnvName } from '../../infra/environments.js';
import type { CanarySpec } from '../plans/canary-spec.js';
import type { GuardianView } from './guardian-records.js';
import type { BackupItemCounts, RestoreRecord } from './restore-evidence.js';
import type { StepEvidence } from './step-evidence.js';

/**
 * The evidence of one run: what ran, in which state, with which versions before and after,
 * which backups were taken, and why it ended as it did. Written after every change, locally
 * and to the environment's state table, so a crash can be resumed or rolled back and a
 * colleague (or CI) can see what happened. Never holds secrets or tokens.
 */
export type RunStatus =
  | 'running'
  | 'paused'
  | 'succeeded'
  | 'failed'
  | 'rolled_back'
  | 'rollback_failed'
  | 'interrupted'
  /** Its lock was force-removed or a later run of the env took over: never resumable. */
  | 'superseded'
  /** `--plan-only` ended after the terraform plan: apply it with `--plan-file --approve-plan`. */
  | 'planned';

/**
 * Everything a run was asked, journaled before its first step. `--resume` runs with exactly
 * these (never with the flags or the working tree of the resuming shell): a resumed run
 * deploys the same bytes and bakes the same way, or refuses.
 */
export interface RunInputs {
  readonly artifact: {
    /** Absolute path; a built package is kept in the run's directory. */
    readonly path: string;
    readonly bytes: number;
    /** Hex SHA-256 of the zip, checked again on resume. */
    readonly sha256: string;
    /** The package identity Lambda reports, the same in every region. */
    readonly codeSha256: string;
    readonly source: 'given' | 'built';
    readonly release: string;
  };
  /** The canary timing after `--bake-scale` / `--analysis-*` (absent without `--canary`). */
  readonly canary?: CanarySpec;
  readonly pauseBefore?: readonly number[];
  readonly allowAlarms?: ReadonlyArray<{ name: string; reason: string }>;
  /** `--override-gate`: a required gate the operator overrode (hotfix break-glass). */
  readonly overrideGates?: ReadonlyArray<{ gate: string; reason: string }>;
  /** Checks or steps the operator chose to skip, each with its reason. */
  readonly skips?: ReadonlyArray<{ what: string; reason: string }>;
  /** The plan's terraform steps: what to plan or apply, and what may be destroyed. */
  readonly terraform?: {
    /** `--plan-only`: plan, review, print the hash, stop. */
    readonly planOnly?: boolean;
    /** `--plan-file`: apply this saved plan instead of planning. */
    readonly planFile?: string;
    /** `--approve-plan`: the SHA-256 an approver (GitHub environment) agreed to. */
    readonly approvedSha256?: string;
    /** `--allow-destroy <address> --reason …`. */
    readonly allowDestroy?: ReadonlyArray<{ address: string; reason: string }>;
    /** PROD's approval names the change request (`--change-request`). */
    readonly changeRequest?: string;
  };
}

/** What the terraform steps did (no plan values: only addresses, counts and the hash). */
export interface TerraformRecord {
  version?: string;
  /** Why the steps did not run (no binary in the sandbox, `--skip-terraform`). */
  skipped?: string;
  workspace?: string;
  planFile?: string;
  planSha256?: string;
  review?: {
    counts: Record<string, number>;
    byType: Record<string, Record<string, number>>;
    critical: Array<{ address: string; why: string }>;
    changes: Array<{ address: string; kind: string; reason?: string }>;
    allowed: Array<{ address: string; reason: string }>;
  };
  applied?: { at: string; sha256: string };
}

/** Versions of the function in one region (version numbers differ between regions). */
export interface RegionVersions {
  region?: string;
  before?: string;
  candidate?: string;
  after?: string;
}

export type StepState = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'paused';

export interface StepRecord {
  readonly index: number;
  readonly kind: string;
  title: string;
  state: StepState;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  /** What the step saw and did: ids, hashes, counts, check results. */
  evidence: StepEvidence;
  error?: { code: string; message: string };
}

export interface RunJournal {
  readonly schema: 1;
  readonly runId: string;
  readonly env: EnvName;
  /** `backup` and `restore` (day-2 data commands) never move the alias. */
  readonly command: 'promote' | 'rollback' | 'backup' | 'restore';
  readonly actor: string;
  readonly sandbox: boolean;
  readonly startedAt: string;
  finishedAt?: string;
  status: RunStatus;
  /**
   * Incremented by every save; the local file and the state-table copy carry it, and the
   * higher one wins when they disagree (a failed remote write leaves the remote behind).
   */
  seq?: number;
  inputs?: RunInputs;
  /** When this run took the environment's lock (a run that never did changed nothing). */
  lockedAt?: string;
  supersededBy?: { runId?: string; reason: string; at: string };
  /** A second Ctrl-C: what was left and the command that finishes the cleanup. */
  interruption?: {
    at: string;
    alias?: { version: string; weights: Record<string, number> };
    lockHeld: boolean;
    finishWith: string[];
  };
  /** The state-table copy is behind this one (its write failed after retries). */
  remoteStale?: { seq: number; error: string; at: string };
  /** Why (rollback `--reason`, `--allow-alarm` justification…). */
  reason?: string;
  git?: { sha?: string; tag?: string; dirty?: boolean };
  artifact?: { codeSha256: string; release?: string; bytes?: number };
  /** The primary region's versions; `artifact.codeSha256` is what identifies the package. */
  versions: RegionVersions;
  /**
   * PROD's failover region: the same package under its own version numbers, moved once the
   * primary is at 100% and rolled back with it.
   */
  failover?: RegionVersions & {
    rollback?: { to: string; verified: boolean; at: string; error?: string };
  };
  backups: Array<{
    arn: string;
    name: string;
    status: string;
    /** The orders table's items per status around this backup (absent in older journals). */
    counts?: BackupItemCounts;
    /** Why they could not be counted (the backup itself stands). */
    countsError?: string;
  }>;
  /** `promote restore`: the side table, its source and the validation verdict. */
  restore?: RestoreRecord;
  steps: StepRecord[];
  rollback?: { to: string; reason: string; verified: boolean; at: string; error?: string };
  /**
   * What the canary guardian did to this run, joined from its record in the state table when
   * journals are read (infra/guardian.ts); never written by the guardian into the journal.
   */
  guardian?: GuardianView;
  terraform?: TerraformRecord;
  /** The canary in flight: where it is, so `--resume` continues the bake. */
  canary?: CanaryProgress;
  error?: { code: string; message: string; exitCode: number };
}

/** One analysis of a bake, as journaled (evidence for a rollback or a sign-off). */
export interface CanaryAnalysis {
  readonly at: string;
  readonly weight: number;
  readonly verdict: 'pass' | 'fail' | 'wait';
  readonly canary: { invocations: number; errors: number; p95?: Record<string, number> };
  /** The stable version over the same window (`p95` absent in journals before the HTML report). */
  readonly baseline: { invocations: number; errors: number; p95?: Record<string, number> };
  /** The reasons that were not a plain pass (all of them on a fail). */
  readonly reasons: ReadonlyArray<{
    trigger: string;
    verdict: string;
    message: string;
    value?: number;
    threshold?: number;
  }>;
  readonly windowSeconds: number;
}

export interface CanaryProgress {
  readonly stable: string;
  readonly candidate: string;
  /** Index into the plan's canary steps of the weight being baked. */
  stepIndex: number;
  /** When the current weight's bake began (ISO). */
  stepStartedAt?: string;
  /** Set while paused before that weight (percent). */
  pausedBefore?: number;
  /** Pauses already passed (resumed), in percent. */
  resumedPast: number[];
  analyses: CanaryAnalysis[];
  allowedAlarms: Array<{ name: string; reason: string }>;
}

/** Sortable, unique, readable: `20261128T101500Z-3f9a`. */
export const newRunId = (now = new Date()): string =>
  `${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${randomBytes(2).toString('hex')}`;

export const newJournal = (init: {
  env: EnvName;
  command: RunJournal['command'];
  actor: string;
  sandbox: boolean;
  steps: ReadonlyArray<{ kind: string; title: string }>;
  region?: string;
  runId?: string;
  reason?: string;
}): RunJournal => ({
  schema: 1,
  runId: init.runId ?? newRunId(),
  env: init.env,
  command: init.command,
  actor: init.actor,
  sandbox: init.sandbox,
  startedAt: new Date().toISOString(),
  status: 'running',
  ...(init.reason ? { reason: init.reason } : {}),
  seq: 0,
  versions: init.region ? { region: init.region } : {},
  backups: [],
  steps: init.steps.map((s, index) => ({
    index,
    kind: s.kind,
    title: s.title,
    state: 'pending',
    evidence: {},
  })),
});
