import type { SandboxState } from './control-client.js';

/** How to point the aws CLI and SDKs at a running sandbox, as printed by `sandbox up`. */
export const sandboxSetupHint = (state: SandboxState): string =>
  [
    `endpoint   ${state.endpoint}`,
    ...Object.entries(state.apiUrls).map(
      ([env, url]) => `api ${env.padEnd(5)}  ${url}/v1.0/orders`,
    ),
    '',
    'point the aws CLI / SDKs at it:',
    `  export AWS_ENDPOINT_URL=${state.endpoint}`,
    '  export AWS_ACCESS_KEY_ID=sandbox-sit AWS_SECRET_ACCESS_KEY=sandbox AWS_REGION=eu-west-1',
    '  aws sts get-caller-identity        # → account 815856636111 (sit)',
    'keys: sandbox-dev, sandbox-sit, sandbox-prod (one per account), sandbox (management,',
    '      may assume arn:aws:iam::<account>:role/order-lambda-deploy-<env>)',
  ].join('\n');
