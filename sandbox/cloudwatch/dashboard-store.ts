import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * CloudWatch dashboards per account. Dashboards are global in CloudWatch (their ARN has no
 * region), so the region a request was signed for does not scope them.
 */

export interface DashboardRecord {
  readonly DashboardName: string;
  readonly DashboardArn: string;
  readonly DashboardBody: string;
  /** Epoch ms. */
  readonly LastModified: number;
  /** Bytes of the body. */
  readonly Size: number;
}

interface StoredDashboard extends DashboardRecord {
  readonly account: string;
}

const byName = (a: DashboardRecord, b: DashboardRecord) =>
  a.DashboardName < b.DashboardName ? -1 : a.DashboardName > b.DashboardName ? 1 : 0;

export class DashboardStore {
  private dashboards: StoredDashboard[] = [];

  /** @param path JSON file of the dashboards, loaded here if it exists; omit for memory only. */
  constructor(readonly path?: string) {
    if (path && existsSync(path)) {
      const saved = JSON.parse(readFileSync(path, 'utf8')) as { dashboards?: StoredDashboard[] };
      this.dashboards = saved.dashboards ?? [];
    }
  }

  private save(): void {
    if (!this.path) return;
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: 1, dashboards: this.dashboards }));
    renameSync(tmp, this.path);
  }

  /** Creates or replaces a dashboard; the body must already be validated. */
  put(account: string, name: string, body: string, now: number): DashboardRecord {
    const record: StoredDashboard = {
      account,
      DashboardName: name,
      DashboardArn: `arn:aws:cloudwatch::${account}:dashboard/${name}`,
      DashboardBody: body,
      LastModified: now,
      Size: Buffer.byteLength(body),
    };
    this.dashboards = [
      ...this.dashboards.filter((d) => !(d.account === account && d.DashboardName === name)),
      record,
    ];
    this.save();
    return record;
  }

  get(account: string, name: string): DashboardRecord | undefined {
    return this.dashboards.find((d) => d.account === account && d.DashboardName === name);
  }

  /** Dashboards of an account whose name starts with `prefix`, sorted by name. */
  list(account: string, prefix = ''): DashboardRecord[] {
    return this.dashboards
      .filter((d) => d.account === account && d.DashboardName.startsWith(prefix))
      .sort(byName);
  }

  /** Deletes all the named dashboards, or none: returns the names that do not exist. */
  delete(account: string, names: readonly string[]): string[] {
    const missing = names.filter((n) => !this.get(account, n));
    if (missing.length > 0) return missing;
    this.dashboards = this.dashboards.filter(
      (d) => !(d.account === account && names.includes(d.DashboardName)),
    );
    this.save();
    return [];
  }
}
