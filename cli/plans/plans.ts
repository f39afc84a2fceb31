import { type AlarmSpec, planAlarms } from '../../infra/alarms.js';
import { ENVIRONMENTS, type Environment, type EnvName } from '../../infra/environments.js';
import { type CanarySpec, PROD_CANARY } from './canary-spec.js';
import type { StepSpec } from './step-spec.js';

/**
 * Each environment's promotion plan (PROM-ORDER-002) as typed data: the ordered steps and
 * every number the steps check. `promote plan <env>` prints exactly this.
 */
export interface Plan {
  readonly env: Environment;
  readonly steps: readonly StepSpec[];
  /** Preflight: the plan's "verify SIT is stable" before prod (SIT health endpoint green). */
  readonly requireHealthyUpstream?: EnvName;
  /**
   * A gate of the upstream environment the package must have passed ("what was tested is
   * what ships"): PROD requires SIT's Gate 4 for the very same CodeSha256.
   */
  readonly requireGate?: {
    readonly id: string;
    readonly probe: 'sit-signoff';
    readonly title: string;
  };
  /** Backup step: PITR must be on (plan § Data Migration, prod). */
  readonly requirePitr: boolean;
  /** Preflight: a dirty tree or a missing release tag blocks (else it is a warning). */
  readonly strictGit: boolean;
  /** The release tag the plan names for this environment, e.g. `v1.0.0-sit`. */
  readonly releaseTagPattern: RegExp;
  /** The plan's infrastructure checklist, checked by preflight. */
  readonly checklist: readonly string[];
  /** DLQ depth allowed at preflight (plan: "DLQ empty"). */
  readonly maxDlqDepth: number;
  /** The plan's response-time SLAs (§ Critical Checks), for reports and `promote load`. */
  readonly sla: {
    readonly createP95Ms: number;
    readonly statusP95Ms: number;
    readonly readP95Ms: number;
    /** § Success Criteria "Error rate < 0.1%": what a load test must stay under. */
    readonly maxErrorRatePct: number;
  };
  readonly alarms: readonly AlarmSpec[];
  /** The backup name prefix; the step appends `-YYYYMMDD-HHMMSS`. */
  readonly backupPrefix: string;
  /** Traffic shifting for `--canary` (prod). */
  readonly canary: CanarySpec;
}

const CHECKLIST = [
  'function',
  'alias',
  'table + 3 GSIs',
  'bucket',
  'DLQ',
  'event rule',
  'SNS topics',
  'log group',
] as const;

const base = (name: EnvName) => {
  const env = ENVIRONMENTS[name];
  return {
    env,
    checklist: CHECKLIST,
    maxDlqDepth: 0,
    sla: { createP95Ms: 2000, statusP95Ms: 1000, readP95Ms: 500, maxErrorRatePct: 0.1 },
    alarms: planAlarms(env),
    backupPrefix: `${env.tableName}-pre-deployment`,
    releaseTagPattern: new RegExp(`^v\\d+\\.\\d+\\.\\d+-${name}$`),
    canary: PROD_CANARY,
  };
};

/** The plan's Steps 1–2 (SIT) / 2–3 (PROD): infrastructure first, its review before approval. */
const TERRAFORM_PLAN: readonly StepSpec[] = [
  { kind: 'preflight', scope: 'identity' },
  { kind: 'terraform-workspace' },
  { kind: 'terraform-plan' },
];

/** Apply, then the plan's infrastructure checklist on what the apply left. */
const TERRAFORM_APPLY: readonly StepSpec[] = [
  { kind: 'terraform-apply' },
  { kind: 'preflight', scope: 'infrastructure' },
];

/** After the alias moved: the plan's Step 6 checks, then its smoke tests. */
const RELEASE: readonly StepSpec[] = [
  { kind: 'deploy' },
  { kind: 'shift-all' },
  { kind: 'verify' },
  { kind: 'smoke' },
];

export const PLANS: Readonly<Record<EnvName, Plan>> = {
  dev: {
    ...base('dev'),
    steps: [{ kind: 'preflight' }, ...RELEASE],
    requirePitr: false,
    strictGit: false,
  },
  sit: {
    ...base('sit'),
    steps: [
      ...TERRAFORM_PLAN,
      { kind: 'approve', who: 'Tech Lead' },
      ...TERRAFORM_APPLY,
      ...RELEASE,
    ],
    requirePitr: false,
    strictGit: false,
  },
  prod: {
    ...base('prod'),
    steps: [
      ...TERRAFORM_PLAN,
      { kind: 'approve', who: 'Product Owner and stakeholders', word: 'GO' },
      { kind: 'backup' },
      ...TERRAFORM_APPLY,
      ...RELEASE,
      // The DR region follows the primary, never leads it.
      { kind: 'failover-region' },
    ],
    requireHealthyUpstream: 'sit',
    requireGate: { id: 'sit-signoff', probe: 'sit-signoff', title: 'SIT sign-off (Gate 4)' },
    requirePitr: true,
    strictGit: true,
  },
};
