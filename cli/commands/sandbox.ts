import { createReadStream, existsSync, rmSync, statSync, watch } from 'node:fs';
import { join } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { ENVIRONMENTS, type EnvName } from '../../infra/environments.js';
import { PromoteError } from '../errors.js';
import { numberIn, parseEnv } from './arg-parsers.js';
import { registerTokenAndTraffic } from './sandbox-traffic.js';

export const parsePort = (value: string): number => {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1024 || port > 65_530) {
    throw new InvalidArgumentError('must be an integer between 1024 and 65530');
  }
  return port;
};

/** The sandbox's port when neither `--port` nor this variable says otherwise. */
export const SANDBOX_PORT_ENV = 'PROMOTE_SANDBOX_PORT';
export const DEFAULT_SANDBOX_PORT = 4566;

/**
 * `--port`, else `PROMOTE_SANDBOX_PORT` (as `--sandbox` reads it), else 4566 — an invalid
 * value in the variable is refused like one given to the flag.
 */
const portOption = (description: string) =>
  new Option('--port <port>', description)
    .env(SANDBOX_PORT_ENV)
    .default(DEFAULT_SANDBOX_PORT)
    .argParser(parsePort);

/** The actions' dependencies, loaded on first use (see sandbox-run.ts). */
const lazy = () => import('./sandbox-run.js');

/** `promote sandbox …`: the local AWS on which the whole plan runs with no account. */
export const registerSandboxCommands = (program: Command): void => {
  const sandbox = program
    .command('sandbox')
    .description(
      "local AWS: DynamoDB Local + moto + the sandbox's Lambda runtime, CloudWatch and API fronts",
    )
    .addHelpText(
      'after',
      `
Examples:
  $ promote sandbox up                 start (or find) the sandbox on :4566 (or $PROMOTE_SANDBOX_PORT)
  $ promote sandbox token --env sit --customer cust_test_001
  $ promote sandbox fault --env prod --version 2 --error-rate 0.2
  $ promote sandbox traffic --env prod --rate 50 --duration 60s
  $ promote sandbox outage --region af-south-1 --down
  $ promote sandbox down`,
    );

  sandbox
    .command('up')
    .description('start the sandbox in the background and provision dev, sit and prod (idempotent)')
    .addOption(portOption('gateway port (API fronts use the next four)'))
    .option('--fresh', 'discard all sandbox state first')
    .action(async (opts: { port: number; fresh?: boolean }, command: Command) => {
      const { ioOf, startDaemon, sandboxSetupHint } = await lazy();
      const io = ioOf(command);
      const started = Date.now();
      const { state, alreadyRunning } = await startDaemon({
        port: opts.port,
        fresh: Boolean(opts.fresh),
      });
      if (alreadyRunning && state.port !== opts.port) {
        io.warn(
          'SANDBOX_OTHER_PORT',
          `a sandbox is already running on port ${state.port}; using it`,
        );
      }
      io.info(
        alreadyRunning ? 'SANDBOX_ALREADY_UP' : 'SANDBOX_UP',
        alreadyRunning
          ? `sandbox already running (pid ${state.pid})`
          : `sandbox started in ${((Date.now() - started) / 1000).toFixed(1)} s (pid ${state.pid})`,
      );
      io.result(sandboxSetupHint(state));
      for (const line of failoverLines(state.failoverApiUrls)) io.result(line);
      io.document({ ok: true, already_running: alreadyRunning, ...state });
    });

  sandbox
    .command('down')
    .description('stop the sandbox (state under .promote/sandbox is kept)')
    .action(async (_opts, command: Command) => {
      const { ioOf, stopDaemon } = await lazy();
      const io = ioOf(command);
      const stopped = await stopDaemon();
      io.info('SANDBOX_DOWN', stopped ? 'sandbox stopped' : 'sandbox was not running');
      io.document({ ok: true, stopped });
    });

  sandbox
    .command('status')
    .description('is it running; endpoints; per environment: function versions, alias, alarms')
    .action(async (_opts, command: Command) => {
      const { ioOf, findRunning, control, sandboxSetupHint } = await lazy();
      const io = ioOf(command);
      const state = await findRunning();
      if (!state) {
        io.info('SANDBOX_DOWN', 'sandbox is not running (start: npx promote sandbox up)');
        io.document({ ok: true, running: false });
        return;
      }
      const status = await control<{
        envs?: Record<string, unknown>;
        failover?: Record<string, unknown>;
        outages?: Array<{ region: string; since: string }>;
      }>(state.endpoint, 'status');
      io.result(sandboxSetupHint(state));
      for (const line of failoverLines(state.failoverApiUrls)) io.result(line);
      for (const [env, s] of Object.entries(status?.envs ?? {})) {
        io.result(`${env.padEnd(5)} ${JSON.stringify(s)}`);
      }
      for (const [env, s] of Object.entries(status?.failover ?? {})) {
        io.result(`${env.padEnd(5)} failover ${JSON.stringify(s)}`);
      }
      for (const outage of status?.outages ?? []) {
        io.result(`outage: ${outage.region} is down since ${outage.since}`);
      }
      io.document({ ok: true, running: true, ...state, ...status });
    });

  sandbox
    .command('reset')
    .description('stop, discard all state, start fresh')
    .addOption(portOption('gateway port (API fronts use the next four)'))
    .action(async (opts: { port: number }, command: Command) => {
      const { ioOf, stopDaemon, startDaemon, sandboxPaths, sandboxSetupHint } = await lazy();
      const io = ioOf(command);
      await stopDaemon();
      rmSync(sandboxPaths().root, { recursive: true, force: true });
      const { state } = await startDaemon({ port: opts.port, fresh: true });
      io.info('SANDBOX_RESET', `sandbox reset (pid ${state.pid})`);
      io.result(sandboxSetupHint(state));
      io.document({ ok: true, ...state });
    });

  sandbox
    .command('logs')
    .description('function logs of an environment (default: the sandbox daemon log)')
    .addOption(new Option('--env <env>', 'environment').argParser(parseEnv))
    .option('-f, --follow', 'keep printing new lines')
    .action(async (opts: { env?: EnvName; follow?: boolean }) => {
      const { sandboxPaths } = await lazy();
      const paths = sandboxPaths();
      let file = paths.daemonLog;
      if (opts.env) {
        const e = ENVIRONMENTS[opts.env];
        file = join(paths.logs, e.account, e.region, `${e.functionName}.log`);
      }
      if (!existsSync(file)) {
        throw new PromoteError('usage', 'SANDBOX_NO_LOGS', `no log yet at ${file}`);
      }
      let offset = 0;
      const pump = () =>
        new Promise<void>((resolve) => {
          const size = statSync(file).size;
          if (size <= offset) return resolve();
          const stream = createReadStream(file, { start: offset, end: size - 1 });
          offset = size;
          stream.on('data', (chunk) => process.stdout.write(chunk));
          stream.on('end', () => resolve());
        });
      await pump();
      if (!opts.follow) return;
      const watcher = watch(file, () => void pump());
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => {
          watcher.close();
          resolve();
        });
      });
    });

  sandbox
    .command('fault')
    .description("inject errors and/or latency into one version of an environment's function")
    .addOption(new Option('--env <env>', 'environment').argParser(parseEnv).makeOptionMandatory())
    .requiredOption('--version <n>', 'function version number')
    .addOption(
      new Option('--error-rate <p>', 'share of invocations that fail, 0..1').argParser(
        numberIn(0, 1),
      ),
    )
    .addOption(
      new Option('--latency-ms <ms>', 'added latency per invocation').argParser(
        numberIn(0, 900_000),
      ),
    )
    .option('--route <route>', 'only requests matching, e.g. "POST /v1.0/orders"')
    .option('--clear', 'remove the faults of that version')
    .action(
      async (
        opts: {
          env: EnvName;
          version: string;
          errorRate?: number;
          latencyMs?: number;
          route?: string;
          clear?: boolean;
        },
        command: Command,
      ) => {
        const { ioOf, requireRunning, control } = await lazy();
        const io = ioOf(command);
        if (!/^\d+$/.test(opts.version))
          throw new PromoteError('usage', 'BAD_VERSION', '--version must be a number');
        if (!opts.clear && opts.errorRate === undefined && opts.latencyMs === undefined) {
          throw new PromoteError(
            'usage',
            'FAULT_EMPTY',
            'give --error-rate and/or --latency-ms, or --clear',
          );
        }
        const state = await requireRunning();
        const result = await control(state.endpoint, 'faults', {
          method: opts.clear ? 'DELETE' : 'POST',
          body: {
            env: opts.env,
            version: opts.version,
            ...(opts.errorRate !== undefined ? { errorRate: opts.errorRate } : {}),
            ...(opts.latencyMs !== undefined ? { latencyMs: opts.latencyMs } : {}),
            ...(opts.route ? { route: opts.route } : {}),
          },
        });
        io.info(
          'SANDBOX_FAULT',
          opts.clear
            ? `faults cleared on ${ENVIRONMENTS[opts.env].functionName}:${opts.version}`
            : `fault set on ${ENVIRONMENTS[opts.env].functionName}:${opts.version}`,
        );
        io.document({ ok: true, ...(result as object) });
      },
    );

  sandbox
    .command('outage')
    .description(
      'take a region of the sandbox down for a DR drill (every AWS call and API front there answers 503), or bring it back',
    )
    .requiredOption(
      '--region <region>',
      'af-south-1 (PROD primary) or eu-west-1 (PROD failover, DEV, SIT)',
    )
    .option('--down', 'take the region down')
    .option('--up', 'bring the region back')
    .addHelpText(
      'after',
      `
Examples:
  $ promote sandbox outage --region af-south-1 --down    PROD's primary region fails
  $ promote sandbox outage --region af-south-1 --up`,
    )
    .action(async (opts: { region: string; down?: boolean; up?: boolean }, command: Command) => {
      const { sandboxOutage } = await import('./sandbox-outage-run.js');
      await sandboxOutage(opts, command);
    });

  registerTokenAndTraffic(sandbox);
};

/** `api prod eu-west-1  http://…/v1.0/orders`: the failover regions' fronts. */
const failoverLines = (urls: Readonly<Record<string, string>> | undefined): string[] =>
  Object.entries(urls ?? {}).map(
    ([env, url]) =>
      `api ${env} ${ENVIRONMENTS[env as EnvName]?.failoverRegion ?? ''} (failover)  ${url}/v1.0/orders`,
  );
