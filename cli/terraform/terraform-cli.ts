import { execa } from 'execa';
import type { AwsTarget } from '../aws/target.js';

/**
 * The terraform commands the plan's steps run, in `terraform/`, with the environment's
 * credentials (its profile, or the sandbox's endpoint and key as a LocalStack user would).
 * `PROMOTE_TERRAFORM` names the binary (default `terraform` on PATH). Output is returned,
 * never logged whole: a plan's text can hold values the summary must not show.
 */
export interface TerraformCli {
  /** The binary answers `terraform version`; undefined when there is none. */
  version(): Promise<string | undefined>;
  init(backendConfig: string): Promise<void>;
  selectWorkspace(name: string): Promise<void>;
  currentWorkspace(): Promise<string>;
  plan(varFile: string, out: string): Promise<void>;
  showJson(planFile: string): Promise<unknown>;
  apply(planFile: string): Promise<void>;
}

export class TerraformFailed extends Error {
  override readonly name = 'TerraformFailed';
  constructor(
    readonly args: readonly string[],
    readonly stderr: string,
  ) {
    super(
      `terraform ${args[0]} failed: ${stderr.trim().split('\n').slice(-3).join(' ').slice(0, 400)}`,
    );
  }

  /** Terraform refuses a saved plan whose state changed since planning. */
  get stale(): boolean {
    return /Saved plan is stale/i.test(this.stderr);
  }
}

const credentialsEnv = (target: AwsTarget): Record<string, string> => {
  const c = target.clientConfig;
  return {
    AWS_REGION: c.region,
    AWS_DEFAULT_REGION: c.region,
    ...(c.profile ? { AWS_PROFILE: c.profile } : {}),
    ...(c.endpoint ? { AWS_ENDPOINT_URL: c.endpoint } : {}),
    ...(c.credentials && typeof c.credentials === 'object'
      ? {
          AWS_ACCESS_KEY_ID: c.credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: c.credentials.secretAccessKey,
        }
      : {}),
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
  };
};

export const terraformCli = (dir: string, target: AwsTarget): TerraformCli => {
  const bin = process.env.PROMOTE_TERRAFORM?.trim() || 'terraform';
  const run = async (args: string[]) => {
    const result = await execa(bin, args, {
      cwd: dir,
      env: credentialsEnv(target),
      reject: false,
      timeout: 30 * 60_000,
    });
    if (result.exitCode !== 0)
      throw new TerraformFailed(args, String(result.stderr || result.stdout));
    return String(result.stdout);
  };
  return {
    async version() {
      try {
        const result = await execa(bin, ['version', '-json'], { reject: false, timeout: 30_000 });
        if (result.exitCode !== 0) return undefined;
        return (JSON.parse(String(result.stdout)) as { terraform_version?: string })
          .terraform_version;
      } catch {
        return undefined; // ENOENT: no terraform on PATH
      }
    },
    async init(backendConfig) {
      await run(['init', '-input=false', '-no-color', `-backend-config=${backendConfig}`]);
    },
    async selectWorkspace(name) {
      await run(['workspace', 'select', '-or-create=true', name]);
    },
    async currentWorkspace() {
      return (await run(['workspace', 'show'])).trim();
    },
    async plan(varFile, out) {
      await run(['plan', '-input=false', '-no-color', `-var-file=${varFile}`, `-out=${out}`]);
    },
    async showJson(planFile) {
      return JSON.parse(await run(['show', '-json', planFile])) as unknown;
    },
    async apply(planFile) {
      await run(['apply', '-input=false', '-no-color', planFile]);
    },
  };
};
