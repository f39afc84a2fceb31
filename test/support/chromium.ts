import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { ReportData } from '../../cli/reports/html-report.js';

/**
 * Headless Chromium for the report and live-view tests: Debian's `chromium`, driven by
 * playwright-core. Missing is a failure, not a skip: .ci/run installs it.
 */
export const CHROMIUM = '/usr/bin/chromium';
/** Screenshots the tests keep (not committed; CI can upload them). */
export const ARTIFACTS = join(process.cwd(), 'test-artifacts');

export const launchChromium = async (): Promise<Browser> => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does it as root)`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
};

/** A page with every request it makes and every console error it logs recorded. */
export const trackedPage = async (
  browser: Browser,
): Promise<{ page: Page; requests: string[]; consoleErrors: string[] }> => {
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  return { page, requests, consoleErrors };
};

/** The charts the page's script drew (`window.__reportCharts`). */
export const drawnCharts = async (
  page: Page,
): Promise<Array<{ id: string; series: number; points: number }>> =>
  (await page.evaluate(
    () => (globalThis as unknown as { __reportCharts: unknown }).__reportCharts,
  )) as Array<{ id: string; series: number; points: number }>;

export interface LoadedReport<D = ReportData> {
  readonly url: string;
  readonly requests: string[];
  readonly consoleErrors: string[];
  readonly charts: Array<{ id: string; series: number; points: number }>;
  readonly canvases: number;
  readonly chartContainers: number;
  readonly data: D;
  readonly text: string;
}

/**
 * Opens a report.html via file:// and collects what the page did; screenshots on request.
 * `section` holds the charts counted (`#canary` in a run report, `#load-charts` in a load one).
 */
export const openReport = async <D = ReportData>(
  browser: Browser,
  file: string,
  screenshots: ReadonlyArray<{ path: string; clipHeight?: number }> = [],
  section = '#canary',
): Promise<LoadedReport<D>> => {
  const { page, requests, consoleErrors } = await trackedPage(browser);
  const url = pathToFileURL(file).href;
  await page.goto(url, { waitUntil: 'load' });
  const charts = await drawnCharts(page);
  const data = JSON.parse((await page.locator('#run-data').textContent()) ?? 'null') as D;
  const canvases = await page.locator(`${section} .uplot canvas`).count();
  const chartContainers = await page.locator(`${section} .chart`).count();
  // biome-ignore lint/performance/useDomNodeTextContent: what a reader sees, not the inline scripts' text.
  const text = await page.locator('body').innerText();
  for (const { path, clipHeight } of screenshots) {
    mkdirSync(join(path, '..'), { recursive: true });
    await page.screenshot({
      path,
      type: 'png',
      fullPage: true,
      ...(clipHeight ? { clip: { x: 0, y: 0, width: 1000, height: clipHeight } } : {}),
    });
  }
  await page.close();
  return { url, requests, consoleErrors, charts, canvases, chartContainers, data, text };
};
