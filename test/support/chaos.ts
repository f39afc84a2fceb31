import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetAliasCommand, GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { execa, type ResultPromise } from 'execa';
import { ENVIRONMENTS } from '../../infra/environments.js';

/**
 * Chaos trials against the real bin and a sandbox daemon: start a promotion, kill it
 * (SIGKILL, one SIGINT, two SIGINTs) at a step or at a random moment, recover the way a
 * user would (`--resume`, `--resume --abort`, or the command the run printed), and check
 * the invariants a tool trusted with production must keep:
 * the alias on the run's starting version or its candidate, no weights, the lock free, the
 * journal's status true, and history saying the same. Shared by the e2e sample and
 * `bench/chaos`.
 */

export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'promote.mjs');

export type ChaosSignal = 'SIGKILL' | 'SIGINT' | 'SIGINTx2';

export interface Trial {
  readonly env: 'sit' | 'prod';
  readonly artifact: string;
  readonly signal: ChaosSignal;
  /** Kill once this step has started (or the run has moved past it), or after a delay. */
  readonly at:
    | {
        readonly step: string /** Which occurrence of that kind (preflight runs twice). */;
        readonly nth?: number;
      }
    | { readonly afterMs: number };
  /** How to recover a run left unfinished. */
  readonly recover: 'resume' | 'abort';
  /** Extra flags for the run (e.g. `--canary --bake-scale 0.01`). */
  readonly extra?: readonly string[];
}

export interface TrialOutcome {
  readonly trial: Trial;
  readonly runId?: string;
  /** Where the run was when the signal went (the step running, or its status). */
  readonly killedAt: string;
  readonly exitCode?: number;
  readonly recovery?: { readonly command: string; readonly exitCode?: number };
  readonly final: {
    readonly version?: string;
    readonly weights: Record<string, number>;
    readonly lock?: string;
    readonly status?: string;
  };
  readonly violations: string[];
}

export interface ChaosTarget {
  readonly home: string;
  readonly port: number;
  readonly endpoint: string;
}

const creds = (env: 'sit' | 'prod') => ({
  accessKeyId: `sandbox-${env}`,
  secretAccessKey: 'sandbox',
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const chaosClients = (target: ChaosTarget, env: 'sit' | 'prod') => {
  const facts = ENVIRONMENTS[env];
  const lambda = new LambdaClient({
    endpoint: target.endpoint,
    region: facts.region,
    credentials: creds(env),
  });
  const dynamo = new DynamoDBClient({
    endpoint: target.endpoint,
    region: facts.region,
    credentials: creds(env),
  });
  return {
    alias: async () => {
      const a = await lambda.send(
        new GetAliasCommand({ FunctionName: facts.functionName, Name: 'live' }),
      );
      return {
        version: a.FunctionVersion ?? '',
        weights: { ...(a.RoutingConfig?.AdditionalVersionWeights ?? {}) },
      };
    },
    codeSha: async (version: string) =>
      (
        await lambda.send(
          new GetFunctionCommand({ FunctionName: facts.functionName, Qualifier: version }),
        )
      ).Configuration?.CodeSha256,
    lockHolder: async () =>
      (
        await dynamo.send(
          new GetItemCommand({
            TableName: `promote-state-${env}`,
            Key: { pk: { S: 'lock' }, sk: { S: 'promote' } },
            ConsistentRead: true,
          }),
        )
      ).Item?.runId?.S,
  };
};

const runsDir = (target: ChaosTarget, env: string) => join(target.home, 'runs', env);

const journalFiles = async (dir: string) =>
  (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.json'));

const readJournal = async (dir: string, runId: string) =>
  JSON.parse(await readFile(join(dir, `${runId}.json`), 'utf8')) as {
    runId: string;
    status: string;
    steps: Array<{ kind: string; state: string }>;
    versions: { before?: string; candidate?: string; after?: string };
    inputs?: { artifact: { codeSha256: string } };
    interruption?: { finishWith: string[] };
  };

/** The new run's journal once it exists (a run that dies before its first save has none). */
const newRunId = async (dir: string, known: Set<string>, deadline: number) => {
  while (Date.now() < deadline) {
    const fresh = (await journalFiles(dir)).find((f) => !known.has(f));
    if (fresh) return fresh.replace(/\.json$/, '');
    await sleep(50);
  }
  return undefined;
};

const whereIs = (j: Awaited<ReturnType<typeof readJournal>> | undefined) => {
  if (!j) return 'before its first journal write';
  if (j.status !== 'running') return `run ${j.status}`;
  const running = j.steps.find((s) => s.state === 'running');
  if (running) return `${running.kind} running`;
  const next = j.steps.find((s) => s.state === 'pending');
  return next ? `before ${next.kind}` : 'after the last step';
};

/** Runs one trial and returns what it found; never throws for a violated invariant. */
export const runTrial = async (target: ChaosTarget, trial: Trial): Promise<TrialOutcome> => {
  const aws = chaosClients(target, trial.env);
  const dir = runsDir(target, trial.env);
  const env = {
    PROMOTE_HOME: target.home,
    PROMOTE_SANDBOX_PORT: String(target.port),
    CI: 'true',
  };
  const cli = (args: readonly string[]) =>
    execa(process.execPath, [BIN, ...args], { env, reject: false, timeout: 240_000 });
  const violations: string[] = [];
  const start = await aws.alias();
  const known = new Set(await journalFiles(dir));

  const child: ResultPromise = execa(
    process.execPath,
    [BIN, trial.env, '--sandbox', '--yes', '--artifact', trial.artifact, ...(trial.extra ?? [])],
    { env, reject: false, timeout: 240_000 },
  );
  const deadline = Date.now() + 120_000;
  let runId: string | undefined;
  if ('afterMs' in trial.at) {
    await sleep(trial.at.afterMs);
    runId = await newRunId(dir, known, Date.now() + 50);
  } else {
    runId = await newRunId(dir, known, deadline);
    const wanted = trial.at.step;
    const nth = trial.at.nth ?? 0;
    while (runId && Date.now() < deadline && child.exitCode === null) {
      const j = await readJournal(dir, runId).catch(() => undefined);
      const step = j?.steps.filter((s) => s.kind === wanted)[nth];
      if (j && (j.status !== 'running' || (step && step.state !== 'pending'))) break;
      await sleep(25);
    }
  }
  const snapshot = runId ? await readJournal(dir, runId).catch(() => undefined) : undefined;
  const killedAt = whereIs(snapshot);
  if (trial.signal === 'SIGKILL') child.kill('SIGKILL');
  else {
    child.kill('SIGINT');
    if (trial.signal === 'SIGINTx2') {
      await sleep(150);
      child.kill('SIGINT');
    }
  }
  const crashed = await child;
  runId ??= await newRunId(dir, known, Date.now() + 500);

  // Recover as a user would.
  let recovery: TrialOutcome['recovery'];
  const journal = runId ? await readJournal(dir, runId).catch(() => undefined) : undefined;
  const unfinished =
    journal &&
    (journal.status === 'running' || journal.status === 'paused' || journal.interruption);
  if (unfinished) {
    let args: string[];
    const printed = /Finish with "([^"]+)"/.exec(`${crashed.stdout}\n${crashed.stderr}`)?.[1];
    if (trial.signal === 'SIGINTx2' && printed && trial.recover === 'abort') {
      // The exact command the run printed must work.
      args = printed.split(' ').slice(1);
    } else {
      args =
        trial.recover === 'resume'
          ? [trial.env, '--sandbox', '--yes', '--resume']
          : [trial.env, '--sandbox', '--resume', '--abort'];
    }
    const done = await cli(args);
    recovery = {
      command: `promote ${args.join(' ')}`,
      ...(done.exitCode !== undefined ? { exitCode: done.exitCode } : {}),
    };
    if (done.exitCode !== 0) {
      violations.push(
        `recovery "${recovery.command}" exited ${done.exitCode}: ${done.stderr.slice(-400)}`,
      );
    }
  } else {
    const nothing = await cli([trial.env, '--sandbox', '--yes', '--resume']);
    if (nothing.exitCode !== 2) {
      violations.push(`--resume of a finished run exited ${nothing.exitCode}, expected 2`);
    }
  }

  // The invariants.
  const alias = await aws.alias();
  const lock = await aws.lockHolder();
  const final = runId ? await readJournal(dir, runId).catch(() => undefined) : undefined;
  if (Object.keys(alias.weights).length) {
    violations.push(`alias has weights ${JSON.stringify(alias.weights)}`);
  }
  if (lock) violations.push(`lock still held by ${lock}`);
  const candidate = final?.versions.candidate;
  const allowed = new Set([start.version, candidate].filter(Boolean) as string[]);
  if (!allowed.has(alias.version)) {
    violations.push(
      `alias on ${alias.version}; the run started from ${start.version} and deploys ${candidate ?? 'nothing'}`,
    );
  }
  if (candidate && final?.inputs) {
    const sha = await aws.codeSha(candidate);
    if (sha !== final.inputs.artifact.codeSha256) {
      violations.push(
        `candidate ${candidate} holds ${sha}, the run was asked for ${final.inputs.artifact.codeSha256}`,
      );
    }
  }
  if (final) {
    if (final.status === 'running') violations.push('journal still says running');
    const movedOn = candidate && candidate !== start.version && alias.version === candidate;
    if (movedOn && final.status !== 'succeeded') {
      violations.push(`alias on the candidate ${candidate} but the journal says ${final.status}`);
    }
    if (!movedOn && final.status === 'succeeded' && candidate && candidate !== start.version) {
      violations.push(
        `journal says succeeded but the alias is on ${alias.version}, not ${candidate}`,
      );
    }
    const history = await cli(['history', trial.env, '--sandbox', '--json', '--limit', '50']);
    const listed = (
      JSON.parse(history.stdout || '{"runs":[]}').runs as Array<{
        runId: string;
        status: string;
      }>
    ).find((r) => r.runId === final.runId);
    if (!listed) violations.push('history does not list the run');
    else if (listed.status !== final.status) {
      violations.push(`history says ${listed.status}, the journal ${final.status}`);
    }
  }
  return {
    trial,
    ...(runId ? { runId } : {}),
    killedAt,
    ...(crashed.exitCode !== undefined ? { exitCode: crashed.exitCode } : {}),
    ...(recovery ? { recovery } : {}),
    final: {
      version: alias.version,
      weights: alias.weights,
      ...(lock ? { lock } : {}),
      ...(final ? { status: final.status } : {}),
    },
    violations,
  };
};
