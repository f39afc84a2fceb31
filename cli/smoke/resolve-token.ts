import type { EnvName } from '../../infra/environments.js';

/** Where a smoke token came from; the token itself is never reported. */
export type TokenSource = 'flag' | 'env';

/** The environment variable the plan uses for an environment's token: `SIT_TOKEN`. */
export const tokenEnvVar = (env: EnvName): string => `${env.toUpperCase()}_TOKEN`;

/** Empty or blank counts as absent: `SIT_TOKEN= promote smoke` must not send `Bearer `. */
const present = (value: string | undefined): string | undefined => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
};

/**
 * The bearer token for smoke calls: `--token` wins, else `<ENV>_TOKEN` (`SIT_TOKEN`, as in
 * the plan's curl calls). Undefined when neither is set, so the caller can say which
 * variable to export. Reads only `processEnv`, so it is testable without touching the process.
 */
export const resolveToken = (input: {
  flag?: string;
  env: EnvName;
  processEnv: NodeJS.ProcessEnv;
}): { token: string; source: TokenSource } | undefined => {
  const flag = present(input.flag);
  if (flag) return { token: flag, source: 'flag' };
  const fromEnv = present(input.processEnv[tokenEnvVar(input.env)]);
  if (fromEnv) return { token: fromEnv, source: 'env' };
  return undefined;
};
