import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { vi } from 'vitest';
import { checklistApi } from '../../cli/aws/checklist-api.js';
import { cloudWatchApi } from '../../cli/aws/cloudwatch-api.js';
import { dynamoDbApi } from '../../cli/aws/dynamodb-api.js';
import { infraApi } from '../../cli/aws/infra-api.js';
import { lambdaApi } from '../../cli/aws/lambda-api.js';
import { stsApi } from '../../cli/aws/sts-api.js';
import { type AwsTarget, awsTarget, sandboxTarget } from '../../cli/aws/target.js';
import { IoHost, type IoOptions } from '../../cli/io/io-host.js';
import { newJournal, type RunJournal, type StepRecord } from '../../cli/journal/run-journal.js';
import { PLANS, type Plan } from '../../cli/plans/plans.js';
import type { RunApis, RunOptions, StepContext } from '../../cli/steps/step-context.js';
import type { EnvName } from '../../infra/environments.js';

/**
 * Shared builders for the promote unit tests: the real per-service wrappers over SDK clients
 * (which the tests intercept with aws-sdk-client-mock), a JSON-mode IoHost writing to
 * captured streams, and a StepContext around one step record.
 */

export const tempHome = (): string => mkdtempSync(join(tmpdir(), 'promote-unit-'));

export const ioHost = (overrides: Partial<IoOptions> = {}) => {
  const out = new PassThrough();
  const err = new PassThrough();
  const io = new IoHost(
    {
      json: true,
      ci: true,
      yes: true,
      verbose: false,
      color: false,
      interactive: false,
      ...overrides,
    },
    out,
    err,
  );
  return { io, out, err };
};

export const targetFor = (env: EnvName, sandbox = true): AwsTarget =>
  sandbox
    ? sandboxTarget(PLANS[env].env, 'http://localhost:1', 'http://localhost:2')
    : awsTarget(PLANS[env].env, undefined);

export const apisFor = (target: AwsTarget, overrides: Partial<RunApis> = {}): RunApis => ({
  sts: stsApi(target),
  lambda: lambdaApi(target),
  dynamodb: dynamoDbApi(target),
  infra: infraApi(target),
  cloudwatch: cloudWatchApi(target),
  checklist: checklistApi(target),
  ...overrides,
});

export const journalFor = (env: EnvName, kinds: readonly string[] = ['step']): RunJournal =>
  newJournal({
    env,
    command: 'promote',
    actor: 'tester@example',
    sandbox: true,
    steps: kinds.map((kind) => ({ kind, title: `${kind} title` })),
  });

export interface TestContext extends StepContext {
  readonly save: ReturnType<typeof vi.fn<() => Promise<void>>>;
  readonly progress: ReturnType<typeof vi.fn<(text: string) => void>>;
  readonly io: IoHost;
}

/** A StepContext for one step of `env`'s plan, with a fresh journal and a temp home. */
export const stepContext = (
  input: {
    env?: EnvName;
    sandbox?: boolean;
    options?: Partial<RunOptions>;
    io?: Partial<IoOptions>;
    apis?: Partial<RunApis>;
    plan?: Plan;
    signal?: AbortSignal;
  } = {},
): TestContext => {
  const env = input.env ?? 'sit';
  const target = targetFor(env, input.sandbox ?? true);
  const journal = journalFor(env);
  return {
    plan: input.plan ?? PLANS[env],
    target,
    apis: apisFor(target, input.apis),
    io: ioHost(input.io).io,
    journal,
    record: journal.steps[0] as StepRecord,
    options: { home: tempHome(), ...input.options },
    signal: input.signal ?? new AbortController().signal,
    save: vi.fn(async () => {}),
    progress: vi.fn(),
  };
};

/** The ARN of a function's alias, as an EventBridge target names it. */
export const aliasArn = (env: EnvName): string => {
  const e = PLANS[env].env;
  return `arn:aws:lambda:${e.region}:${e.account}:function:${e.functionName}:${e.alias}`;
};
