import type { SampleEstimate } from '../canary/sample-estimate.js';
import type { SmokeReport } from '../smoke/run-smoke.js';

/**
 * What each step kind records as evidence, typed, so reports and commands read it without
 * casts. One record type for every step (a step fills the fields of its kind); the journal
 * is JSON, so everything here is plain data — and never a token or a secret.
 */

/** One line of a preflight or verify report. */
export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  /** A failed warning is reported but does not block. */
  readonly blocking: boolean;
}

export interface PreflightEvidence {
  caller?: { account: string; arn: string };
  checks?: Check[];
  /** The function's configured handler (the artifact must hold its module). */
  handler?: string;
  dlq?: { visible: number; inFlight: number };
  alarmsInAlarm?: string[];
  /** PROD: SIT's sign-off of this package, as read. */
  gate?: Record<string, unknown>;
  /** `--override-gate`: the gate that was missing and why it was overridden. */
  gateOverride?: { gate: string; reason: string; missing: string };
}

export interface ApproveEvidence {
  approval?: {
    question: string;
    answer: 'yes' | 'no';
    by: string;
    via: string;
    at: string;
    /** The plan's role: Tech Lead (SIT), Product Owner and stakeholders (PROD). */
    role?: string;
    callerArn?: string;
    gitUser?: string;
    /** The terraform plan this approval is bound to. */
    planSha256?: string;
    changeRequest?: string;
    /** In Actions: the reviews of the environment's protection rule, read from GitHub. */
    github?: Array<{ login: string; state: string; comment?: string }>;
    /** Why the GitHub reviews could not be read (the approval stands on its own). */
    githubError?: string;
  };
}

export interface BackupEvidence {
  pitr?: boolean;
  backup?: { arn: string; name: string; status: string; sizeBytes?: number };
  /** Path of the function's pre-deployment snapshot. */
  snapshot?: string;
}

export interface DeployEvidence {
  artifact?: { codeSha256: string; release: string; bytes: number };
  /** The package was already published as this version. */
  reused?: string;
  published?: { version: string; description: string };
  /** The reused version is older than the live one (same bytes, moving back). */
  older?: { candidate: string; live: string };
}

export interface ShiftEvidence {
  alias?: { from: string; to: string };
  unchanged?: boolean;
}

export interface CanaryEvidence {
  warmUp?: { invocations: number; failed: number };
  sampleEstimate?: SampleEstimate & { lookbackSeconds: number };
  canary?: { steps: string[]; analyses: number };
}

export interface SmokeEvidence {
  smoke?: SmokeReport;
  /** Why the smoke did not run (a rollback without a token). */
  skipped?: string;
  hint?: string;
}

/** PROD's failover region: the same package under its own version number. */
export interface FailoverEvidence {
  failover?: { region: string; before: string; candidate: string; published: boolean };
  failoverChecks?: Record<string, unknown>;
}

/** A rollback's alias switch. */
export interface SwitchEvidence {
  from?: string;
  fromWeights?: Record<string, number>;
  to?: string;
  description?: string;
}

export type StepEvidence = PreflightEvidence &
  ApproveEvidence &
  BackupEvidence &
  DeployEvidence &
  ShiftEvidence &
  CanaryEvidence &
  SmokeEvidence &
  FailoverEvidence &
  SwitchEvidence;
