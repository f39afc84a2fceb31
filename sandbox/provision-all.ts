import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ENVIRONMENTS, type EnvName } from '../infra/environments.js';
import { buildArtifact } from '../scripts/build.js';
import { type CodeStore, hexFromCodeSha256 } from './lambda/code-store.js';
import type { LambdaRuntime } from './lambda/lambda-runtime.js';
import type { SandboxPaths } from './paths.js';
import { type ProvisionResult, provisionEnvironment } from './provision.js';
import { provisionFailoverRegion } from './provision-failover.js';

/**
 * Provisions every environment as terraform would (idempotent: after a restart most of it
 * already exists), then PROD's failover region while the primaries' live aliases are warmed,
 * then the failover region's standby instance. Part of the sandbox's start-up, after the
 * gateway listens (provisioning goes through it, IAM and all).
 */
export const provisionAll = async (input: {
  readonly envs: readonly EnvName[];
  readonly endpoint: string;
  readonly paths: SandboxPaths;
  readonly runtime: LambdaRuntime;
  readonly codeStore: CodeStore;
  readonly log: (line: string) => void;
}): Promise<{ provisioned: ProvisionResult[]; failovers: ProvisionResult[] }> => {
  const { envs, endpoint, paths, runtime, codeStore, log } = input;
  // Provision every environment (idempotent; after a restart most of it already exists).
  let artifact: Promise<Buffer> | undefined;
  const zip = () => {
    // Version 1 stands for the release already running there, so a `promote` of the
    // current code is a real change (another CodeSha256) rather than a no-op.
    artifact ??= buildArtifact({
      release: 'sandbox-baseline',
      outDir: join(paths.root, 'build'),
    }).then((a) => a.data);
    return artifact;
  };
  const provisioned: ProvisionResult[] = [];
  for (const name of envs) {
    const result = await provisionEnvironment(ENVIRONMENTS[name], {
      endpoint,
      zip,
      serviceVersion: process.env.npm_package_version ?? '1.0.0',
    });
    provisioned.push(result);
    log(
      `provisioned ${name}: ${result.created.length} created, ${result.existing.length} existing`,
    );
  }

  // Warm each environment's live alias (a few instances at once), so the first requests
  // after `sandbox up` do not all pay cold starts — which would show up as a latency
  // spike in the plan's alarms.
  const warmUp = (targets: ReadonlyArray<{ name: EnvName; region: string }>) =>
    Promise.all(
      targets.map(({ name, region }) =>
        runtime
          .invoke({
            account: ENVIRONMENTS[name].account,
            region,
            functionName: ENVIRONMENTS[name].functionName,
            qualifier: ENVIRONMENTS[name].alias,
            payload: Buffer.from(
              JSON.stringify({ httpMethod: 'GET', path: '/v1.0/orders/health', headers: {} }),
            ),
            invocationType: 'RequestResponse',
          })
          .catch((error: Error) => log(`warm-up ${name} ${region}: ${error.message}`)),
      ),
    );
  // PROD's failover region is provisioned while the primaries warm up: most of its time is
  // waiting for its replicas to turn ACTIVE, which costs nothing to overlap.
  const failoverEnvs = envs.filter((name) => ENVIRONMENTS[name].failoverRegion);
  const [failovers] = await Promise.all([
    Promise.all(
      failoverEnvs.map((name) =>
        provisionFailoverRegion(ENVIRONMENTS[name], {
          endpoint,
          zip,
          codeFor: async (codeSha256) => {
            const sha256 = hexFromCodeSha256(codeSha256);
            return codeStore.has(sha256) ? readFile(codeStore.zipPath(sha256)) : undefined;
          },
        }),
      ),
    ),
    warmUp(
      envs.flatMap((name) =>
        Array.from({ length: 4 }, () => ({ name, region: ENVIRONMENTS[name].region })),
      ),
    ),
  ]);
  for (const failover of failovers) {
    log(
      `provisioned ${failover.env}: ${failover.created.length} created, ${failover.existing.length} existing`,
    );
  }
  // A standby: one warm instance, not four (cold starts cost CPU every sandbox pays, and
  // the region takes traffic only in a failover drill).
  await warmUp(
    failoverEnvs.map((name) => ({ name, region: ENVIRONMENTS[name].failoverRegion as string })),
  );
  return { provisioned, failovers };
};
