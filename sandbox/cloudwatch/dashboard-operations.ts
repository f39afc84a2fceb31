import { z } from 'zod';
import { dashboardInvalidInput, dashboardNotFound } from './cloudwatch-error.js';
import type { DashboardStore } from './dashboard-store.js';
import type { Operation } from './operation-context.js';
import { page, parseInput, wireList } from './wire-schema.js';

/** PutDashboard, GetDashboard, ListDashboards and DeleteDashboards over a DashboardStore. */

const dashboardName = z.string().min(1).max(255);

const NAME = /^[A-Za-z0-9_-]+$/;
const LIST_PAGE = 1000;

/**
 * The checks CloudWatch makes before storing a body: a JSON object with a `widgets` list.
 * Widget contents are not validated; the dashboard is never rendered by the sandbox.
 */
const checkBody = (body: string): void => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw dashboardInvalidInput('The field DashboardBody must be a valid JSON object');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw dashboardInvalidInput('The field DashboardBody must be a valid JSON object');
  }
  if (!Array.isArray((parsed as { widgets?: unknown }).widgets)) {
    throw dashboardInvalidInput("The dashboard body should have required property 'widgets'");
  }
};

/** The dashboard operations, bound to one store; dashboards are per account, not per region. */
export const dashboardOperations = (store: DashboardStore): Record<string, Operation> => ({
  PutDashboard: (raw, { account, now }) => {
    const input = parseInput(
      z.object({ DashboardName: dashboardName, DashboardBody: z.string() }),
      raw,
    );
    if (!NAME.test(input.DashboardName)) {
      throw dashboardInvalidInput(
        'The value for field DashboardName contains invalid characters. It can only contain alphanumerics, dash (-) and underscore (_).',
      );
    }
    checkBody(input.DashboardBody);
    store.put(account, input.DashboardName, input.DashboardBody, now);
    return { DashboardValidationMessages: [] };
  },

  GetDashboard: (raw, { account }) => {
    const input = parseInput(z.object({ DashboardName: dashboardName }), raw);
    const dashboard = store.get(account, input.DashboardName);
    if (!dashboard) throw dashboardNotFound(input.DashboardName);
    return {
      DashboardArn: dashboard.DashboardArn,
      DashboardBody: dashboard.DashboardBody,
      DashboardName: dashboard.DashboardName,
    };
  },

  ListDashboards: (raw, { account }) => {
    const input = parseInput(
      z.object({
        DashboardNamePrefix: z.string().max(255).optional(),
        NextToken: z.string().optional(),
      }),
      raw,
    );
    const { items, nextToken } = page(
      store.list(account, input.DashboardNamePrefix ?? ''),
      input.NextToken,
      LIST_PAGE,
    );
    return {
      DashboardEntries: items.map((d) => ({
        DashboardName: d.DashboardName,
        DashboardArn: d.DashboardArn,
        LastModified: new Date(d.LastModified),
        Size: d.Size,
      })),
      NextToken: nextToken,
    };
  },

  DeleteDashboards: (raw, { account }) => {
    const input = parseInput(
      z.object({ DashboardNames: wireList(dashboardName, { min: 1, max: 100 }) }),
      raw,
    );
    const missing = store.delete(account, input.DashboardNames);
    if (missing.length > 0) throw dashboardNotFound(missing.join(', '));
    return {};
  },
});
