import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunJournal } from '../../cli/journal/run-journal.js';
import { renderRunHtml } from '../../cli/reports/html-report.js';
import { ARTIFACTS, type LoadedReport, launchChromium, openReport } from '../support/chromium.js';

/**
 * The HTML report in a real browser (Debian's chromium, driven by playwright-core): the
 * canary charts draw, the failing trigger shows, the page asks the network for nothing and
 * logs no error. Reports of real sandbox canaries are opened by the canary e2e.
 */
const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'journals');

const journalOf = (name: string): RunJournal =>
  JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as RunJournal;

let browser: Browser;
const dir = join(tmpdir(), `report-browser-${process.pid}`);

/** Renders the fixture to a file and opens it (see openReport). */
const load = (
  name: string,
  screenshots: ReadonlyArray<{ path: string; clipHeight?: number }>,
): Promise<LoadedReport> => {
  const file = join(dir, `${name}.html`);
  writeFileSync(file, renderRunHtml(journalOf(name)));
  return openReport(browser, file, screenshots);
};

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

describe('report.html in chromium', () => {
  it('draws every canary chart of a healthy canary, offline, without errors', async () => {
    // Prepare
    const journal = journalOf('prod-canary-healthy');
    const analyses = journal.canary?.analyses.length ?? 0;

    // Act
    const page = await load('prod-canary-healthy', [
      { path: join(ARTIFACTS, 'report-prod-canary-healthy.png') },
    ]);

    // Assess
    expect(page.consoleErrors).toEqual([]);
    expect(page.requests).toEqual([pathToFileURL(join(dir, 'prod-canary-healthy.html')).href]);
    const ids = page.data.canary?.charts.map((c) => c.id);
    expect(ids).toEqual(['error-rate', 'p95-create', 'p95-status', 'invocations']);
    expect(page.charts.map((c) => c.id)).toEqual(ids);
    expect(page.chartContainers).toBe(ids?.length);
    // uPlot draws each chart on one canvas.
    expect(page.canvases).toBe(ids?.length);
    for (const chart of page.charts) {
      expect(chart).toMatchObject({ series: 2, points: analyses });
    }
    expect(page.text).not.toContain('Canary gate failed');
  });

  it('shows the failing trigger of a rolled-back canary, with its charts', async () => {
    // Prepare
    const journal = journalOf('prod-canary-rolled-back');
    const analyses = journal.canary?.analyses.length ?? 0;

    // Act
    const readmeShot = join(process.cwd(), 'docs', 'report-screenshot.png');
    const page = await load('prod-canary-rolled-back', [
      { path: join(ARTIFACTS, 'report-prod-canary-rolled-back.png') },
      // The README's picture: header, failure callouts and the first charts, kept small.
      { path: readmeShot, clipHeight: 1480 },
    ]);

    // Assess
    expect(page.consoleErrors).toEqual([]);
    expect(page.requests).toEqual([pathToFileURL(join(dir, 'prod-canary-rolled-back.html')).href]);
    expect(page.canvases).toBe(page.data.canary?.charts.length);
    expect(page.charts).toHaveLength(4);
    for (const chart of page.charts) expect(chart.points).toBe(analyses);
    expect(page.data.canary?.failingIndex).toBe(analyses - 1);
    expect(page.text).toContain('Canary gate failed at 50%');
    expect(page.text).toContain('[error-rate] canary error rate 12.5% > 5%');
    expect(page.text).toContain('value 12.5 vs threshold 5');
    expect(statSync(readmeShot).size).toBeLessThan(300 * 1024);
  });

  it('draws a canary captured from a sandbox run, stopped unjudged', async () => {
    // Prepare
    const journal = journalOf('prod-canary-sandbox-unjudged');
    const analyses = journal.canary?.analyses.length ?? 0;

    // Act
    const page = await load('prod-canary-sandbox-unjudged', [
      { path: join(ARTIFACTS, 'report-prod-canary-sandbox-unjudged.png') },
    ]);

    // Assess
    expect(page.consoleErrors).toEqual([]);
    expect(page.requests).toHaveLength(1);
    expect(page.canvases).toBe(page.data.canary?.charts.length);
    expect(page.charts.map((c) => c.points)).toEqual(page.charts.map(() => analyses));
    expect(page.text).toContain('Canary stopped unjudged at 10%');
  });
});
