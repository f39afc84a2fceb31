import type { StepKind } from '../plans/step-spec.js';
import { approve } from './approve.js';
import { backup } from './backup.js';
import { canary } from './canary.js';
import { deploy } from './deploy.js';
import { failoverRegion } from './failover-region.js';
import { preflight } from './preflight.js';
import { shiftAll } from './shift-all.js';
import { smoke } from './smoke.js';
import type { StepModule } from './step-context.js';
import { terraformApply } from './terraform-apply.js';
import { terraformPlan } from './terraform-plan.js';
import { terraformWorkspace } from './terraform-workspace.js';
import { verify } from './verify.js';

/** Every step kind's module; the type makes a missing kind a compile error. */
export const STEP_MODULES: { readonly [K in StepKind]: StepModule<K> } = {
  preflight,
  'terraform-workspace': terraformWorkspace,
  'terraform-plan': terraformPlan,
  'terraform-apply': terraformApply,
  approve,
  backup,
  deploy,
  'shift-all': shiftAll,
  canary,
  verify,
  smoke,
  'failover-region': failoverRegion,
};
