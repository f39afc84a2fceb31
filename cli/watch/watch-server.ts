import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunJournal } from '../journal/run-journal.js';
import type { OneTimeToken } from './abort-token.js';
import { liveView } from './live-view.js';
import { renderWatchPage } from './watch-page.js';
import { type Snapshot, snapshotOf, stateFor } from './watch-state.js';

/** The abort action, when `--allow-abort` offers it. */
export interface WatchAbort {
  readonly token: OneTimeToken;
  /** Records the request for `runId`; false when one was already recorded. */
  request(runId: string, reason: string): Promise<boolean>;
}

export interface WatchServerOptions {
  readonly env: string;
  /** The run to follow: the env's current run, or its newest; undefined when it has none. */
  readonly source: () => Promise<RunJournal | undefined>;
  /** How often the journals are read (one read however many pages are open). */
  readonly refreshMs: number;
  /** 0 (default): a random free port. */
  readonly port?: number;
  readonly abort?: WatchAbort;
  readonly now?: () => Date;
  /** Told about each abort attempt (accepted or not), for the terminal. */
  readonly onAbort?: (outcome: string, detail: string) => void;
}

const MAX_BODY = 4096;

/** Refuses what a page on another origin could send (DNS rebinding, cross-site posts). */
const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

const send = (
  res: ServerResponse,
  status: number,
  body: string,
  type = 'application/json; charset=utf-8',
  extra: Record<string, string> = {},
): void => {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, ...extra });
  res.end(body);
};

const json = (res: ServerResponse, status: number, payload: unknown) =>
  send(res, status, JSON.stringify(payload));

const readBody = (req: IncomingMessage): Promise<string | undefined> =>
  new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

/**
 * `promote watch`'s local server: one page (the run report, redrawn as the journal grows)
 * and its JSON, on 127.0.0.1 only. Requests must name this server as their Host (a page
 * of another site resolving its name to 127.0.0.1 gets nothing) and an abort must come
 * from this origin, as JSON, with the one-time token. Read-only unless `abort` is given.
 */
export class WatchServer {
  private server: Server | undefined;
  private timer: NodeJS.Timeout | undefined;
  private snapshot: Snapshot = snapshotOf(undefined);
  private readError: string | undefined;
  private refreshing: Promise<void> | undefined;
  private origin = '';

  constructor(private readonly options: WatchServerOptions) {}

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** Reads the journals once (concurrent callers share the read). */
  refresh(): Promise<void> {
    this.refreshing ??= this.options
      .source()
      .then(
        (journal) => {
          this.snapshot = snapshotOf(journal, this.snapshot);
          this.readError = undefined;
        },
        (error: Error) => {
          this.readError = error.message;
        },
      )
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  /** Reads the journals, then listens. Resolves with the page's URL. */
  async start(): Promise<string> {
    await this.refresh();
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: Error) =>
        json(res, 500, { error: `watch server: ${error.message}` }),
      );
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    this.origin = `http://127.0.0.1:${port}`;
    this.timer = setInterval(() => void this.refresh(), this.options.refreshMs);
    return `${this.origin}/`;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private abortState() {
    const token = this.options.abort?.token;
    return { offered: Boolean(token), used: token?.spent ?? false, locked: token?.locked ?? false };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = req.headers.host ?? '';
    const port = this.origin.slice(this.origin.lastIndexOf(':') + 1);
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
      json(res, 421, { error: `this server answers only as 127.0.0.1:${port}` });
      return;
    }
    const url = new URL(req.url ?? '/', this.origin);
    // HEAD is GET without the body (Node drops it).
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const route = `${method} ${url.pathname}`;
    if (route === 'GET /') {
      const nonce = randomBytes(16).toString('base64');
      send(
        res,
        200,
        renderWatchPage({ env: this.options.env, nonce, abort: this.abortState().offered }),
        'text/html; charset=utf-8',
        {
          'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
        },
      );
      return;
    }
    if (route === 'GET /api/state') {
      json(
        res,
        200,
        stateFor({
          snapshot: this.snapshot,
          env: this.options.env,
          since: url.searchParams.get('since') ?? undefined,
          now: this.now(),
          abort: this.abortState(),
          ...(this.readError ? { readError: this.readError } : {}),
        }),
      );
      return;
    }
    if (route === 'POST /api/abort') {
      await this.abort(req, res);
      return;
    }
    json(res, url.pathname === '/' || url.pathname.startsWith('/api/') ? 405 : 404, {
      error: `no ${route}`,
    });
  }

  private async abort(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const abort = this.options.abort;
    const tell = this.options.onAbort ?? (() => undefined);
    if (!abort) {
      json(res, 404, { error: 'read-only: start promote watch with --allow-abort to offer abort' });
      return;
    }
    if (req.headers.origin !== this.origin) {
      tell('refused', `a request from another origin (${req.headers.origin ?? 'none'})`);
      json(res, 403, { error: 'abort is accepted only from this page' });
      return;
    }
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      json(res, 415, { error: 'send JSON' });
      return;
    }
    const raw = await readBody(req);
    let body: { token?: unknown; reason?: unknown };
    try {
      body = raw === undefined ? {} : (JSON.parse(raw) as typeof body);
    } catch {
      body = {};
    }
    if (typeof body.token !== 'string') {
      json(res, 400, { error: 'the token is missing' });
      return;
    }
    const check = abort.token.check(body.token);
    if (check !== 'ok') {
      const message =
        check === 'used'
          ? 'the token was used already; restart promote watch --allow-abort for a new one'
          : check === 'locked'
            ? 'too many wrong tokens: abort is locked; restart promote watch --allow-abort'
            : 'wrong token (it is printed in the terminal that started promote watch)';
      tell(check, message);
      json(res, check === 'wrong' ? 403 : 410, { error: message });
      return;
    }
    await this.refresh();
    const journal = this.snapshot.journal;
    const view = journal ? liveView(journal, this.now()) : undefined;
    if (!journal || !view?.abortable) {
      json(res, 409, {
        error: journal
          ? `nothing to abort: run ${journal.runId} is ${journal.status}${view?.step ? ` (${view.step.title}: ${view.step.state})` : ''}; only a baking canary can be aborted here`
          : 'nothing to abort: no run',
      });
      return;
    }
    const reason =
      typeof body.reason === 'string' && body.reason.trim()
        ? body.reason.trim().slice(0, 200)
        : 'no reason given';
    const recorded = await abort.request(journal.runId, reason);
    abort.token.spend();
    tell(recorded ? 'requested' : 'already', `run ${journal.runId}: ${reason}`);
    json(res, recorded ? 202 : 200, {
      ok: true,
      runId: journal.runId,
      message: recorded
        ? `abort requested: run ${journal.runId} rolls back at its next check (within seconds)`
        : `an abort of run ${journal.runId} was already requested`,
    });
  }
}
