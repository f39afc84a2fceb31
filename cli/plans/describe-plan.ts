import { PLAN_THRESHOLDS } from '../canary/assess.js';
import type { Plan } from './plans.js';

const canaryLines = (plan: Plan): string[] => {
  const c = plan.canary;
  const t = PLAN_THRESHOLDS;
  return [
    'Canary (--canary, instead of shift-all):',
    `  ${c.steps.map((s) => `${Math.round(s.weight * 100)}% for ${s.bakeSeconds / 60} min`).join(' → ')} → 100%; analysis every ${c.analysisIntervalSeconds} s over the last ${c.windowSeconds} s`,
    '  the plan\'s AdditionalVersionWeights={"$LATEST"=0.1} is rejected by AWS (only published versions can be',
    '  weighted): the new published version is weighted while FunctionVersion stays the stable one',
    `  rollback triggers: error rate > ${t.maxErrorRatePct}%, p95 create > ${t.maxP95CreateMs} ms, p95 status > ${t.maxP95StatusMs} ms, DLQ > ${t.maxDlqDepth},`,
    `    EventBridge failures > ${t.maxEventBridgeFailurePct}%, order processing failures > ${t.maxOrderProcessingFailurePct}%, throttles > ${t.maxThrottlesPerMinute}/min, DynamoDB throttles > ${t.maxDynamoThrottles},`,
    '    any plan alarm in ALARM, critical smoke (create + process an order) failing at a step',
    `  vs the stable version: Fisher exact (errors, +${t.minErrorRateDeltaPct} pt) and Mann-Whitney (duration, ×${t.minLatencyRatio}) at α ${t.significance}; at least ${t.minInvocations} canary invocations per window`,
    '',
  ];
};

/** `promote plan <env>`: every step and number of the plan, as readable text. */
export const describePlan = (plan: Plan): string => {
  const e = plan.env;
  const lines = [
    `Plan for ${e.name}: account ${e.account}, region ${e.region}${e.failoverRegion ? ` (failover ${e.failoverRegion})` : ''}, API https://${e.apiDomain}`,
    `function ${e.functionName} (alias ${e.alias}), table ${e.tableName} [${e.gsis.join(', ')}], bucket ${e.bucket}, DLQ ${e.dlq}, rule ${e.eventRule}`,
    '',
    'Steps:',
    ...plan.steps.map(
      (s, i) =>
        `  ${i + 1}. ${s.kind}${'scope' in s && s.scope ? ` (${s.scope})` : ''}${'readOnly' in s && s.readOnly ? ' (read-only)' : ''}`,
    ),
    '',
    ...(plan.steps.some((s) => s.kind === 'terraform-plan')
      ? [
          'Terraform (terraform/, workspace = environment):',
          `  init -backend-config=environments/${e.name}.s3.tfbackend; workspace select ${e.name}; plan -var-file=environments/${e.name}.tfvars -out=${e.name}.tfplan; show -json`,
          '  guard: a delete or replace of a table, replica, bucket, queue, log group, backup vault or KMS key stops the run',
          '    unless --allow-destroy <address> --reason "…"; CRITICAL review: EventBridge rules/targets, DLQ settings, replication',
          "  the approval shows the summary and the plan file's SHA-256; apply runs that file only, once",
          '  CI: promote <env> --plan-only (prints the hash), then promote <env> --plan-file <f> --approve-plan <sha256>',
          '  no terraform on PATH: skipped in the sandbox; real AWS stops unless --skip-terraform --reason "…"',
          '',
        ]
      : []),
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
    ...(plan.env.name === 'prod' ? canaryLines(plan) : []),
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
