/**
 * The kinds of step a plan is made of, as data (Argo Rollouts style): the runner only asks
 * "which step am I on, did it finish?". Adding a kind = one union member here and one file
 * under `cli/steps/`; the runner never changes.
 */
export type StepSpec =
  | { readonly kind: 'preflight' }
  /** The plan's manual approval (Tech Lead for SIT, "GO" from stakeholders for PROD). */
  | { readonly kind: 'approve'; readonly who: string }
  | { readonly kind: 'backup' }
  | { readonly kind: 'deploy' }
  | { readonly kind: 'shift-all' }
  /** Weighted alias shifting with CloudWatch gates (timing from the plan's canary spec). */
  | { readonly kind: 'canary' }
  | { readonly kind: 'verify' }
  | { readonly kind: 'smoke'; readonly readOnly?: boolean };

export type StepKind = StepSpec['kind'];

export type StepOf<K extends StepKind> = Extract<StepSpec, { kind: K }>;
