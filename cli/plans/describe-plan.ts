import type { Plan } from './plans.js';

/** `promote plan <env>`: every step and number of the plan, as readable text. */
export const describePlan = (plan: Plan): string => {
  const e = plan.env;
  const lines = [
    `Plan for ${e.name}: account ${e.account}, region ${e.region}${e.failoverRegion ? ` (failover ${e.failoverRegion})` : ''}, API https://${e.apiDomain}`,
    `function ${e.functionName} (alias ${e.alias}), table ${e.tableName} [${e.gsis.join(', ')}], bucket ${e.bucket}, DLQ ${e.dlq}, rule ${e.eventRule}`,
    '',
    'Steps:',
    ...plan.steps.map(
      (s, i) => `  ${i + 1}. ${s.kind}${'readOnly' in s && s.readOnly ? ' (read-only)' : ''}`,
    ),
    '',
    'Preflight checks:',
    `  account == ${e.account}, region == ${e.region}, credentials not expiring within 15 min (warning)`,
    `  infrastructure: ${plan.checklist.join(', ')}`,
    `  DLQ depth <= ${plan.maxDlqDepth}; no alarm in ALARM`,
    ...(plan.requireHealthyUpstream
      ? [
          `  ${plan.requireHealthyUpstream} health endpoint answers healthy (plan: "verify SIT is stable")`,
        ]
      : []),
    `  git: clean tree and tag matching ${plan.releaseTagPattern.source} — ${plan.strictGit ? 'blocking' : 'warning'} (warning in the sandbox)`,
    '',
    ...(plan.steps.some((s) => s.kind === 'backup')
      ? [
          `Backup: ${plan.backupPrefix}-YYYYMMDD-HHMMSS (UTC), wait until AVAILABLE; pre-deployment-snapshot.json; PITR ${plan.requirePitr ? 'required' : 'optional'}`,
          '',
        ]
      : []),
    `SLA (plan § Critical Checks): p95 create < ${plan.sla.createP95Ms} ms, status < ${plan.sla.statusP95Ms} ms, read < ${plan.sla.readP95Ms} ms`,
    '',
    'Alarms (plan § Monitoring & Alerts):',
    ...plan.alarms.map(
      (a) =>
        `  ${a.name.padEnd(44)} ${a.planName}: ${a.description} (threshold ${a.threshold}, ${a.periodSeconds} s × ${a.evaluationPeriods})${a.critical ? ' CRITICAL' : ''}`,
    ),
  ];
  return lines.join('\n');
};
