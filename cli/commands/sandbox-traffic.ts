import { type Command, Option } from 'commander';
import type { EnvName } from '../../infra/environments.js';
import { PromoteError } from '../errors.js';
import { numberIn, parseDuration, parseEnv } from './arg-parsers.js';

const envOption = () =>
  new Option('--env <env>', 'environment').argParser(parseEnv).makeOptionMandatory();

const CUSTOMER_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** `promote sandbox token` and `promote sandbox traffic`: API access to the sandbox fronts. */
export const registerTokenAndTraffic = (sandbox: Command): void => {
  sandbox
    .command('token')
    .description("mint a JWT for an environment's sandbox API (RS256, 1 hour)")
    .addOption(envOption())
    .option('--customer <id>', 'customer id the token acts for', 'cust_test_001')
    .option('--admin', 'admin token (cognito:groups admin) instead of a customer one')
    .addHelpText(
      'after',
      `
Examples:
  $ export SIT_TOKEN=$(npx promote sandbox token --env sit)
  $ curl -H "Authorization: Bearer $SIT_TOKEN" http://127.0.0.1:4568/v1.0/orders`,
    )
    .action(async (opts: { env: EnvName; customer: string; admin?: boolean }, command) => {
      const { ioOf, loadSandboxKeys, sandboxPaths } = await import('./sandbox-run.js');
      const io = ioOf(command);
      if (!CUSTOMER_ID.test(opts.customer)) {
        throw new PromoteError(
          'usage',
          'BAD_CUSTOMER',
          '--customer must match [A-Za-z0-9_-]{1,64}',
        );
      }
      const keys = await loadSandboxKeys(sandboxPaths().keys);
      const token = await keys.mintToken({
        env: opts.env,
        ...(opts.admin ? { admin: true } : { customerId: opts.customer }),
      });
      // The token is the command's output (for `$(…)`); it is never logged elsewhere.
      if (io.options.json) io.document({ ok: true, env: opts.env, token });
      else process.stdout.write(`${token}\n`);
    });

  sandbox
    .command('traffic')
    .description('synthetic customers (create, get, list, status, cancel) through the API')
    .addOption(envOption())
    .addOption(
      new Option('--rate <n>', 'requests per second').default(20).argParser(numberIn(0.1, 1000)),
    )
    .addOption(
      new Option('--duration <d>', 'how long, e.g. 60s or 2m (max 1h)')
        .default(60_000, '60s')
        .argParser(parseDuration),
    )
    .addOption(
      new Option(
        '--ramp <d>',
        'rise linearly from 0 to --rate over this long (default: a tenth of --duration, at most 30s; 0s: full rate at once)',
      ).argParser(parseDuration),
    )
    .addOption(
      new Option('--customers <n>', 'synthetic customers').default(10).argParser(numberIn(1, 500)),
    )
    .addHelpText(
      'after',
      `
Requests start on a fixed schedule (an open model): a slow answer never delays the next
request, and a request that finds 64 already in flight is counted as dropped, not queued.
The ramp lets the engines' JITs and the function's instances warm up as under a real
traffic shift; the summary's "steady" rate is measured after it.

Example:
  $ npx promote sandbox traffic --env prod --rate 50 --duration 60s`,
    )
    .action(
      async (
        opts: { env: EnvName; rate: number; duration: number; ramp?: number; customers: number },
        command,
      ) => {
        const { ioOf, requireRunning, loadSandboxKeys, sandboxPaths, runTraffic } = await import(
          './sandbox-run.js'
        );
        const io = ioOf(command);
        const rampMs = opts.ramp ?? Math.min(30_000, Math.round(opts.duration / 10));
        const state = await requireRunning();
        const baseUrl = state.apiUrls[opts.env];
        if (!baseUrl) {
          throw new PromoteError('sandbox_unavailable', 'NO_API', `no API front for ${opts.env}`);
        }
        const keys = await loadSandboxKeys(sandboxPaths().keys);
        const controller = new AbortController();
        const stop = () => controller.abort();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        io.info(
          'TRAFFIC_START',
          `traffic → ${baseUrl}: ${opts.rate} req/s for ${opts.duration / 1000} s (ramp ${Math.min(rampMs, opts.duration) / 1000} s), ${opts.customers} customers`,
        );
        let lastLine = 0;
        try {
          const summary = await runTraffic({
            baseUrl,
            rate: opts.rate,
            durationMs: opts.duration,
            rampMs,
            customers: opts.customers,
            tokenFor: (customerId) => keys.mintToken({ env: opts.env, customerId }),
            adminToken: () => keys.mintToken({ env: opts.env, admin: true }),
            signal: controller.signal,
            onProgress: (p) => {
              if (p.elapsedMs - lastLine < 5_000 && p.scheduling) return;
              lastLine = p.elapsedMs;
              io.info(
                'TRAFFIC_PROGRESS',
                `${(p.elapsedMs / 1000).toFixed(0)} s: sent ${p.sent}, in flight ${p.inFlight}, dropped ${p.dropped}`,
              );
            },
          });
          const p95s = Object.entries(summary.byOperation)
            .filter(([, s]) => s.sent > 0)
            .map(([op, s]) => `${op} ${s.latency.p95} ms`)
            .join(', ');
          io.info(
            'TRAFFIC_DONE',
            `sent ${summary.sent} (${summary.achievedRate.toFixed(1)} req/s, steady ${summary.steadyRate.toFixed(1)}), dropped ${summary.dropped}, errors ${summary.errors}, statuses ${JSON.stringify(summary.byStatus)}; p95 ${p95s}`,
          );
          io.document({ ok: summary.errors === 0, env: opts.env, ...summary });
        } finally {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
        }
      },
    );
};
