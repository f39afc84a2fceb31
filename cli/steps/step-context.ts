import type { ChecklistApi } from '../aws/checklist-api.js';
import type { CloudWatchApi } from '../aws/cloudwatch-api.js';
import type { DynamoDbApi } from '../aws/dynamodb-api.js';
import type { InfraApi } from '../aws/infra-api.js';
import type { LambdaApi } from '../aws/lambda-api.js';
import type { StsApi } from '../aws/sts-api.js';
import type { AwsTarget } from '../aws/target.js';
import type { GateRecord } from '../checklists/governance-store.js';
import type { IoHost } from '../io/io-host.js';
import type { RunJournal, StepRecord } from '../journal/run-journal.js';
import type { CanarySpec } from '../plans/canary-spec.js';
import type { Plan } from '../plans/plans.js';
import type { StepKind, StepOf } from '../plans/step-spec.js';
import type { TerraformCli } from '../terraform/terraform-cli.js';

/** The AWS surface a run may use: the narrow per-service clients, nothing else. */
export interface RunApis {
  readonly sts: StsApi;
  readonly lambda: LambdaApi;
  readonly dynamodb: DynamoDbApi;
  readonly infra: InfraApi;
  readonly cloudwatch: CloudWatchApi;
  /** The checklists' extra reads (DNS, ACM, Backup…); absent in narrow test doubles. */
  readonly checklist?: ChecklistApi;
  /** PROD's failover region: the same function there (absent for single-region envs). */
  readonly failover?: RegionalApis;
}

/** One more region of the environment: its function, and its API when one is known. */
export interface RegionalApis {
  readonly region: string;
  readonly lambda: LambdaApi;
  /** The region's own API origin (the sandbox's failover front, `PROMOTE_API_URL_<ENV>_<REGION>`). */
  readonly apiBaseUrl?: string;
}

/** What the user asked for that steps read (flags of `promote <env>`). */
export interface RunOptions {
  /** `--artifact <zip>`: deploy this package instead of building. */
  readonly artifact?: string;
  /** The files in the run's package (preflight checks the function's handler is one). */
  readonly artifactEntries?: readonly string[];
  /** Git facts of the working tree, when run from a checkout. */
  readonly git?: { readonly sha?: string; readonly tag?: string; readonly dirty?: boolean };
  /** Tokens for the smoke step (never logged or journaled). */
  readonly smokeTokens?: () => Promise<{ token: string; adminToken?: string }>;
  /** Base URL of another environment's API (prod preflight checks SIT health). */
  readonly upstreamHealthUrl?: string;
  /** Where `.promote/` is (run files, snapshots). */
  readonly home: string;
  readonly fetch?: typeof fetch;
  /** `--canary` timing: the plan's steps, possibly compressed by `--bake-scale`. */
  readonly canary?: CanarySpec;
  /** `--pause-before <percent>`: stop before shifting to that weight. */
  readonly pauseBefore?: readonly number[];
  /** `--allow-alarm <name> --reason …`: alarms known to be firing that must not block. */
  readonly allowAlarms?: ReadonlyArray<{ name: string; reason: string }>;
  /** The terraform binary, run in `terraform/` with this target's credentials. */
  readonly terraform?: { readonly cli: TerraformCli; readonly dir: string };
  /**
   * Marks a saved plan as applied, atomically; false when it already was (Terraform's own
   * stale-plan check misses plans made against empty state, hashicorp/terraform#24078).
   */
  readonly consumePlan?: (sha256: string) => Promise<boolean>;
  /** The CodeSha256 of the run's package (the gate's question is about these bytes). */
  readonly artifactCodeSha256?: string;
  /** SIT's sign-off of a package, read with SIT's credentials (PROD preflight). */
  readonly sitSignoff?: (codeSha256: string) => Promise<GateRecord | undefined>;
  /** `--override-gate <id> --reason …`: the journaled break-glass of a hotfix. */
  readonly overrideGates?: ReadonlyArray<{ gate: string; reason: string }>;
  /** In GitHub Actions: the reviews given to this run through environment protection. */
  readonly environmentApprovals?: () => Promise<
    | ReadonlyArray<{
        login: string;
        state: string;
        environments: readonly string[];
        comment?: string;
      }>
    | undefined
  >;
  /** Who approves: the git identity of the operator (the caller ARN is preflight's). */
  readonly gitUser?: string;
  /** Clock, for tests. */
  readonly now?: () => Date;
}

/** Everything a step needs; steps never reach for globals. */
export interface StepContext {
  readonly plan: Plan;
  readonly target: AwsTarget;
  readonly apis: RunApis;
  readonly io: IoHost;
  readonly journal: RunJournal;
  readonly record: StepRecord;
  readonly options: RunOptions;
  /** Aborted on Ctrl-C / SIGTERM; long waits must watch it. */
  readonly signal: AbortSignal;
  /** Persists the journal (locally and in the env's state table). */
  save(): Promise<void>;
  /** Progress text for the current step (listr2 output line, CI line, or JSON event). */
  progress(text: string): void;
}

/**
 * One step kind. `run` throws a PromoteError to fail the run; what it observed goes into
 * `ctx.record.evidence`. A step that moves the alias sets `journal.versions.before` first,
 * which is what arms the run's single rollback.
 */
export interface StepModule<K extends StepKind> {
  readonly kind: K;
  /**
   * Only reads (preflight): the run takes the environment's lock before the first step
   * that is not read-only, so a run blocked early writes nothing.
   */
  readonly readOnly?: boolean;
  /** Asks the operator something: run outside the progress renderer. */
  readonly interactive?: boolean;
  title(spec: StepOf<K>, plan: Plan): string;
  run(ctx: StepContext, spec: StepOf<K>): Promise<void>;
}
