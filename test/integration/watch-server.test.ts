import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunJournal } from '../../cli/journal/run-journal.js';
import { OneTimeToken } from '../../cli/watch/abort-token.js';
import { WatchServer, type WatchServerOptions } from '../../cli/watch/watch-server.js';
import type { WatchState } from '../../cli/watch/watch-state.js';

/**
 * `promote watch`'s server over real HTTP on 127.0.0.1, fed journals from fixtures: what
 * the page polls, the Host and Origin checks, and the one-time token's life.
 */
const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'journals');
const journalOf = (name: string): RunJournal =>
  JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as RunJournal;

/** The healthy fixture as a run still baking at 10% (abortable). */
const baking = (): RunJournal => {
  const j = structuredClone(journalOf('prod-canary-healthy'));
  j.status = 'running';
  j.steps = j.steps.map((s) => (s.kind === 'canary' ? { ...s, state: 'running' } : s));
  (j.canary as NonNullable<RunJournal['canary']>).stepIndex = 0;
  (j.canary as NonNullable<RunJournal['canary']>).stepStartedAt = j.canary?.analyses[0]?.at;
  return j;
};

let server: WatchServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const start = async (options: Partial<WatchServerOptions> & Pick<WatchServerOptions, 'source'>) => {
  server = new WatchServer({ env: 'prod', refreshMs: 60_000, ...options });
  const url = await server.start();
  return { url, origin: url.slice(0, -1) };
};

/** A raw request, so Host and Origin can be anything. */
const raw = (
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> =>
  new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers }, (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(init.body);
  });

const abortWith = (origin: string, token: string, headers: Record<string, string> = {}) =>
  raw(`${origin}/api/abort`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: origin, ...headers },
    body: JSON.stringify({ token, reason: 'customers report failures' }),
  });

describe('promote watch server', () => {
  it('serves one page whose scripts carry the nonce its policy allows, and nothing external', async () => {
    // Prepare
    const { url } = await start({ source: async () => undefined });

    // Act
    const page = await raw(url, {});

    // Assess
    expect(page.status).toBe(200);
    const csp = String(page.headers['content-security-policy']);
    const nonce = csp.match(/'nonce-([^']+)'/)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain("connect-src 'self'");
    const scripts = [...page.body.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    expect(scripts.length).toBe(3);
    for (const attrs of scripts) expect(attrs).toBe(` nonce="${nonce}"`);
    expect(page.body).not.toMatch(/(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i);
    expect(page.body).toContain('read-only view');
    expect(page.body).not.toContain('id="abort"');
  });

  it('answers the state with the report body only when the journal changed since the caller saw it', async () => {
    // Prepare
    let journal: RunJournal = baking();
    const { origin } = await start({ source: async () => journal });
    const state = async (since = '') =>
      JSON.parse((await raw(`${origin}/api/state?since=${since}`, {})).body) as WatchState;

    // Act
    const first = await state();
    const unchanged = await state(first.key);
    journal = { ...journal, seq: (journal.seq ?? 0) + 1, status: 'succeeded' };
    await server?.refresh();
    const changed = await state(first.key);

    // Assess
    expect(first.view?.abortable).toBe(true);
    expect(first.html).toContain('id="canary"');
    expect(first.data?.canary?.x.length).toBe(journal.canary?.analyses.length);
    expect(unchanged.html).toBeUndefined();
    expect(unchanged.key).toBe(first.key);
    expect(changed.key).not.toBe(first.key);
    expect(changed.view?.status).toBe('succeeded');
    expect(changed.html).toContain('status-succeeded');
  });

  it('keeps showing the last good state when the journals cannot be read, and says so', async () => {
    // Prepare
    let fail = false;
    const { origin } = await start({
      source: async () => {
        if (fail) throw new Error('ExpiredTokenException');
        return baking();
      },
    });

    // Act
    fail = true;
    await server?.refresh();
    const state = JSON.parse((await raw(`${origin}/api/state`, {})).body) as WatchState;

    // Assess
    expect(state.readError).toBe('ExpiredTokenException');
    expect(state.view?.status).toBe('running');
  });

  it('answers nothing to a request naming another host (DNS rebinding)', async () => {
    // Prepare
    const { url } = await start({ source: async () => baking() });

    // Act
    const state = await raw(`${url}api/state`, { headers: { Host: 'attacker.example' } });

    // Assess
    expect(state.status).toBe(421);
    expect(state.body).not.toContain('runId');
  });

  it('is read-only without --allow-abort', async () => {
    // Prepare
    const { origin } = await start({ source: async () => baking() });

    // Act
    const answer = await abortWith(origin, 'anything');

    // Assess
    expect(answer.status).toBe(404);
    expect(answer.body).toContain('--allow-abort');
  });

  it('records an abort once: right origin, right token, a baking canary — then the token is spent', async () => {
    // Prepare
    const token = new OneTimeToken('1111-2222-3333-4444');
    const requested: Array<{ runId: string; reason: string }> = [];
    let journal: RunJournal = { ...baking(), status: 'paused' };
    const { origin } = await start({
      source: async () => journal,
      abort: {
        token,
        request: async (runId, reason) => {
          requested.push({ runId, reason });
          return true;
        },
      },
    });

    // Act
    const otherOrigin = await abortWith(origin, token.value, { Origin: 'http://evil.example' });
    const wrong = await abortWith(origin, '1111-2222-3333-4445');
    const notBaking = await abortWith(origin, token.value);
    journal = baking();
    const accepted = await abortWith(origin, token.value);
    const again = await abortWith(origin, token.value);

    // Assess
    expect(otherOrigin.status).toBe(403);
    expect(wrong.status).toBe(403);
    expect(wrong.body).toContain('wrong token');
    expect(notBaking.status).toBe(409);
    expect(notBaking.body).toContain('nothing to abort');
    expect(accepted.status).toBe(202);
    expect(JSON.parse(accepted.body).runId).toBe(journal.runId);
    expect(requested).toEqual([{ runId: journal.runId, reason: 'customers report failures' }]);
    expect(again.status).toBe(410);
    expect(again.body).toContain('used');
  });
});
