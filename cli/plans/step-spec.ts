/**
 * The kinds of step a plan is made of, as data (Argo Rollouts style): the runner only asks
 * "which step am I on, did it finish?". Adding a kind = one union member here and one file
 * under `cli/steps/`; the runner never changes.
 */
export type StepSpec =
  /**
   * `identity`: account, region, credentials, git, upstream — before terraform, which on a
   * fresh account is what creates the infrastructure; `infrastructure`: the plan's checklist,
   * after apply. Without a scope, both (the plans without terraform, `promote preflight`).
   */
  | { readonly kind: 'preflight'; readonly scope?: 'identity' | 'infrastructure' }
  /** The plan's Step 1 (SIT) / 2 (PROD): init with the env's backend, select the workspace. */
  | { readonly kind: 'terraform-workspace' }
  /** `plan -out`, `show -json`, the guard; the plan's hash binds the approval. */
  | { readonly kind: 'terraform-plan' }
  /** Applies exactly the approved plan file, once. */
  | { readonly kind: 'terraform-apply' }
  /** The plan's manual approval (Tech Lead for SIT, "GO" from stakeholders for PROD). */
  | {
      readonly kind: 'approve';
      readonly who: string;
      /** A word the approver types (the plan's explicit "GO" for PROD). */
      readonly word?: string;
    }
  | { readonly kind: 'backup' }
  | { readonly kind: 'deploy' }
  | { readonly kind: 'shift-all' }
  /** Weighted alias shifting with CloudWatch gates (timing from the plan's canary spec). */
  | { readonly kind: 'canary' }
  | { readonly kind: 'verify' }
  /**
   * PROD: once the primary region serves the package at 100%, the failover region's function
   * is moved to the same bytes (its own version number) and verified.
   */
  | { readonly kind: 'failover-region' }
  | { readonly kind: 'smoke'; readonly readOnly?: boolean };

export type StepKind = StepSpec['kind'];

export type StepOf<K extends StepKind> = Extract<StepSpec, { kind: K }>;
