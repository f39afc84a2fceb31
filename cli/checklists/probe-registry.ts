import type { ProbeName } from './checklist-schema.js';
import { IDENTITY_PROBES } from './identity-probes.js';
import { INFRA_PROBES } from './infra-probes.js';
import type { Probe } from './probe.js';
import { RELEASE_PROBES } from './release-probes.js';
import { RESTORE_PROBES } from './restore-probes.js';

/** Every probe by name: the one registry `promote checklist` and preflight both run. */
export const PROBES: Readonly<Record<ProbeName, Probe>> = {
  ...IDENTITY_PROBES,
  ...INFRA_PROBES,
  ...RELEASE_PROBES,
  ...RESTORE_PROBES,
};
