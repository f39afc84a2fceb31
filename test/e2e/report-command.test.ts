import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `promote report` through the bundled CLI (bin/promote.mjs → dist/cli): finds a run in the
 * local journals, renders report.html on demand for a run that predates it (which also
 * proves the bundle finds uPlot to inline), and refuses an unknown run with exit 2.
 */
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'promote.mjs');
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'journals');
const OLDER = '20261201T101500Z-3f9a';
const LATEST = '20261201T143000Z-b71c';

describe('promote report', () => {
  let home: string;

  const promote = (args: string[]) =>
    execa(process.execPath, [BIN, ...args], {
      env: { PROMOTE_HOME: home, CI: 'true', DISPLAY: '', WAYLAND_DISPLAY: '' },
      reject: false,
      timeout: 60_000,
    });

  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'promote-report-'));
    mkdirSync(join(home, 'runs', 'prod'), { recursive: true });
    copyFileSync(
      join(FIXTURES, 'prod-canary-healthy.json'),
      join(home, 'runs', 'prod', `${OLDER}.json`),
    );
    copyFileSync(
      join(FIXTURES, 'prod-canary-rolled-back.json'),
      join(home, 'runs', 'prod', `${LATEST}.json`),
    );
  });

  afterAll(() => {
    rmSync(home, { recursive: true, force: true });
  });

  it("renders the env's latest run on demand and answers in JSON", async () => {
    // Prepare
    const expected = join(home, 'runs', 'prod', LATEST, 'report.html');

    // Act
    const result = await promote(['report', 'prod', '--json']);

    // Assess
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      ok: true,
      env: 'prod',
      runId: LATEST,
      path: expected,
    });
    const html = readFileSync(expected, 'utf8');
    expect(html).toContain('var uPlot=');
    expect(html).toContain('Canary gate failed at 50%');
  });

  it('prints only the path of a named run, also with --open and no display', async () => {
    // Prepare
    const expected = join(home, 'runs', 'prod', OLDER, 'report.html');

    // Act
    const result = await promote(['report', 'prod', OLDER, '--open']);

    // Assess
    expect(result.exitCode).toBe(0);
    expect(result.stdout.trim()).toBe(expected);
    expect(existsSync(expected)).toBe(true);
  });

  it('refuses an unknown run with exit 2 and REPORT_UNKNOWN_RUN', async () => {
    // Prepare
    const runId = '20200101T000000Z-0000';

    // Act
    const result = await promote(['report', 'prod', runId, '--json']);

    // Assess
    expect(result.exitCode).toBe(2);
    const doc = JSON.parse(result.stdout) as { ok: boolean; error: { code: string } };
    expect(doc.ok).toBe(false);
    expect(doc.error.code).toBe('REPORT_UNKNOWN_RUN');
  });
});
