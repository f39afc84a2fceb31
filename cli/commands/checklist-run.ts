import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { parse } from 'yaml';
import { z } from 'zod';
import { gateBlockers, summarize } from '../checklists/evaluate.js';
import { renderChecklistMarkdown } from '../checklists/evidence-report.js';
import type {
  ChecklistRunRecord,
  Confirmation,
  GateRecord,
  ItemEvidence,
} from '../checklists/governance-store.js';
import { checklistItems } from '../checklists/load-checklist.js';
import { PROBES } from '../checklists/probe-registry.js';
import { runChecklist } from '../checklists/run-checklist.js';
import { PromoteError } from '../errors.js';
import type { GlobalFlags } from '../global-flags.js';
import type { IoHost } from '../io/io-host.js';
import { JournalStore } from '../journal/journal-store.js';
import { envArg } from './arg-parsers.js';
import type { ChecklistFlags, SignoffFlags } from './checklist.js';
import { type ChecklistSession, checklistSession } from './checklist-session.js';
import { ioOf } from './io-of.js';
import { storeEvidence } from './run-session.js';

const ICON: Record<ItemEvidence['status'], string> = {
  pass: '✔',
  confirmed: '☑',
  open: '○',
  fail: '✖',
};

const paint = (io: IoHost, item: ItemEvidence) => {
  const icon = ICON[item.status];
  if (item.status === 'pass' || item.status === 'confirmed') return io.color.green(icon);
  if (item.status === 'fail') return item.required ? io.color.red(icon) : io.color.yellow(icon);
  return io.color.yellow(icon);
};

/**
 * Markdown + JSON beside the run reports, copied into the env's evidence bucket; the record
 * itself is in the state table.
 */
const writeEvidence = async (s: ChecklistSession, io: IoHost, run: ChecklistRunRecord) => {
  const dir = join(s.conn.home, 'checklists', run.env);
  mkdirSync(dir, { recursive: true });
  const markdown = join(dir, `${run.id}.md`);
  const json = join(dir, `${run.id}.json`);
  writeFileSync(markdown, renderChecklistMarkdown(run));
  writeFileSync(json, `${JSON.stringify(run, null, 2)}\n`);
  const prefix = `checklists/${run.env}`;
  const stored = await storeEvidence(s.conn.evidence, io, [
    { file: markdown, key: `${prefix}/${run.id}.md` },
    { file: json, key: `${prefix}/${run.id}.json` },
  ]);
  return { markdown, json, ...(stored ? { stored } : {}) };
};

const report = (io: IoHost, run: ChecklistRunRecord) => {
  let heading = '';
  for (const item of run.items) {
    const h = `${item.phase} · ${item.section}`;
    if (h !== heading) {
      heading = h;
      io.info('CHECKLIST_ITEM', io.color.bold(h));
    }
    io.info(
      'CHECKLIST_ITEM',
      `  ${paint(io, item)} ${item.id.padEnd(30)} ${item.text}${item.required ? '' : ' (optional)'}${item.status === 'open' && item.kind === 'manual' ? io.color.dim(` — confirm: ${item.detail}`) : ` — ${item.detail}`}`,
      { id: item.id, status: item.status },
    );
  }
};

/** A confirmation's evidence: a URL as given, or a file recorded with its SHA-256. */
const evidenceOf = (value: string | undefined, itemId: string): string => {
  if (!value) {
    throw new PromoteError(
      'usage',
      'CONFIRM_BAD_EVIDENCE',
      `${itemId}: --evidence is required`,
      'a link (https://…) to the report, ticket or run, or a file to record with its SHA-256',
    );
  }
  if (/^https?:\/\/\S+$/.test(value)) return value;
  const path = resolve(value);
  if (existsSync(path) && statSync(path).isFile()) {
    const sha = createHash('sha256').update(readFileSync(path)).digest('hex');
    return `${path} sha256:${sha}`;
  }
  throw new PromoteError(
    'usage',
    'CONFIRM_BAD_EVIDENCE',
    `${itemId}: evidence "${value}" is neither an http(s) link nor a readable file`,
    'pass a link or the path of a file (its SHA-256 is recorded)',
  );
};

const confirmationsFile = z.array(
  z.object({ id: z.string(), evidence: z.string(), comment: z.string().min(1) }).strict(),
);

/** Validates every confirmation before recording any: a bad line records nothing. */
const plannedConfirmations = (
  s: ChecklistSession,
  entries: ReadonlyArray<{ id: string; evidence?: string; comment?: string }>,
): Confirmation[] => {
  const items = new Map(checklistItems(s.file).map((e) => [e.item.id, e.item]));
  const at = new Date().toISOString();
  return entries.map((entry) => {
    const item = items.get(entry.id);
    if (!item) {
      throw new PromoteError(
        'usage',
        'CHECKLIST_UNKNOWN_ITEM',
        `no item "${entry.id}" in checklists/${s.file.env}.yaml; nothing was recorded`,
        `list the ids with: promote checklist ${s.file.env}`,
      );
    }
    if (item.check) {
      throw new PromoteError(
        'usage',
        'CHECKLIST_NOT_MANUAL',
        `${entry.id} is checked by the probe "${item.check}", not confirmed by hand; nothing was recorded`,
        `run promote checklist ${s.file.env} to see what the probe sees`,
      );
    }
    if (!entry.comment?.trim()) {
      throw new PromoteError(
        'usage',
        'CONFIRM_NEEDS_COMMENT',
        `${entry.id}: --comment is required (what was checked and found); nothing was recorded`,
      );
    }
    return {
      itemId: entry.id,
      at,
      evidence: evidenceOf(entry.evidence, entry.id),
      comment: entry.comment.trim(),
      ...s.actor,
      ...(s.live ? { codeSha256: s.live.codeSha256 } : {}),
    };
  });
};

const readConfirmations = (path: string) => {
  let data: unknown;
  try {
    data = parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new PromoteError(
      'usage',
      'CONFIRM_BAD_EVIDENCE',
      `cannot read ${path}: ${(error as Error).message}`,
    );
  }
  const parsed = confirmationsFile.safeParse(data);
  if (!parsed.success) {
    throw new PromoteError(
      'usage',
      'CONFIRM_BAD_EVIDENCE',
      `${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      'a YAML list of { id, evidence, comment }',
    );
  }
  return parsed.data;
};

/** `promote checklist <env> [confirm <id>]`. */
export const checklist = async (
  envName: string,
  action: string | undefined,
  id: string | undefined,
  flags: ChecklistFlags,
  command: Command,
): Promise<void> => {
  const io = ioOf(command);
  const env = envArg(envName);
  if (action !== undefined && action !== 'confirm') {
    throw new PromoteError(
      'usage',
      'CHECKLIST_UNKNOWN_ITEM',
      `unknown action "${action}"`,
      'promote checklist <env> [confirm <id> --evidence … --comment …]',
    );
  }
  if (action === 'confirm' && !id) {
    throw new PromoteError(
      'usage',
      'CHECKLIST_UNKNOWN_ITEM',
      'confirm needs the item id',
      `promote checklist ${env} confirm <id> --evidence <url|file> --comment "…"`,
    );
  }
  const s = await checklistSession(env, command.optsWithGlobals() as GlobalFlags, io);
  const unknown = (flags.phase ?? []).filter((p) => !s.file.phases.some((f) => f.id === p));
  if (unknown.length) {
    throw new PromoteError(
      'usage',
      'CHECKLIST_UNKNOWN_ITEM',
      `no phase ${unknown.join(', ')} in checklists/${env}.yaml`,
      `phases of ${env}: ${s.file.phases.map((p) => p.id).join(', ')}`,
    );
  }
  const entries = [
    ...(action === 'confirm' && id
      ? [
          {
            id,
            ...(flags.evidence ? { evidence: flags.evidence } : {}),
            ...(flags.comment ? { comment: flags.comment } : {}),
          },
        ]
      : []),
    ...(flags.confirmations ? readConfirmations(flags.confirmations) : []),
  ];
  if (entries.length) {
    const confirmations = plannedConfirmations(s, entries);
    for (const c of confirmations) {
      await s.governance.confirm(c);
      io.info(
        'CHECKLIST_CONFIRMED',
        `${c.itemId} confirmed by ${c.actor}: ${c.comment} (${c.evidence})`,
      );
    }
    if (action === 'confirm') {
      io.document({ ok: true, env, confirmed: confirmations });
      return;
    }
  }
  const run = await runChecklist({
    file: s.file,
    ...(flags.phase ? { phases: flags.phase } : {}),
    ctx: s.ctx,
    registry: PROBES,
    governance: s.governance,
    actor: s.actor,
    ...(s.live ? { liveVersion: s.live.version } : {}),
  });
  report(io, run);
  const files = await writeEvidence(s, io, run);
  const counts = summarize(run.items);
  const failed = run.items.filter((i) => i.kind === 'check' && i.status === 'fail' && i.required);
  io.info(
    'CHECKLIST_DONE',
    `${run.items.length} items: ${counts.pass} passed, ${counts.confirmed} confirmed, ${counts.open} open, ${counts.fail} failed — evidence ${files.markdown}`,
  );
  io.document({ ok: failed.length === 0, env, run, files });
  if (failed.length) {
    throw new PromoteError(
      'preflight_blocked',
      'CHECKLIST_FAILED',
      `${failed.length} required check(s) failed: ${failed.map((f) => f.id).join(', ')}`,
      `see ${files.markdown}`,
    );
  }
};

/** `promote signoff <env> --gate <id>`: fresh evidence, no open item, bound to the live package. */
export const signoff = async (
  envName: string,
  flags: SignoffFlags,
  command: Command,
): Promise<void> => {
  const io = ioOf(command);
  const env = envArg(envName);
  const s = await checklistSession(env, command.optsWithGlobals() as GlobalFlags, io);
  const gate = s.file.gates.find((g) => g.id === flags.gate);
  if (!gate) {
    throw new PromoteError(
      'usage',
      'GATE_UNKNOWN',
      `no gate "${flags.gate}" for ${env}`,
      `gates of ${env}: ${s.file.gates.map((g) => g.id).join(', ')}`,
    );
  }
  if (!s.live) {
    throw new PromoteError(
      'preflight_blocked',
      'NO_LIVE_PACKAGE',
      `${env} has no live version to sign off`,
      `promote ${env} first`,
    );
  }
  const run = await runChecklist({
    file: s.file,
    phases: gate.phases,
    ctx: s.ctx,
    registry: PROBES,
    governance: s.governance,
    actor: s.actor,
    liveVersion: s.live.version,
  });
  const files = await writeEvidence(s, io, run);
  const blockers = gateBlockers(gate, run.items);
  if (blockers.length) {
    report(io, { ...run, items: blockers });
    throw new PromoteError(
      'preflight_blocked',
      'GATE_OPEN',
      `${gate.title} refused: ${blockers.length} required item(s) not passed or confirmed: ${blockers
        .slice(0, 8)
        .map((b) => `${b.id} (${b.status})`)
        .join(', ')}${blockers.length > 8 ? ', …' : ''}; nothing was signed`,
      `fix or confirm them (promote checklist ${env} confirm <id> --evidence … --comment …), then sign again; evidence: ${files.markdown}`,
      { open: blockers.map((b) => b.id) },
    );
  }
  const journals = await new JournalStore(s.conn.home, s.conn.state).list(env).catch(() => []);
  const release = journals.find((j) => j.artifact?.codeSha256 === s.live?.codeSha256)?.artifact
    ?.release;
  const ok = await io.confirm(
    'GATE_SIGNED',
    `Sign ${gate.title} for ${env} v${s.live.version} (package ${s.live.codeSha256}) as ${gate.approver}?`,
  );
  if (!ok) {
    throw new PromoteError('approval_declined', 'APPROVAL_DECLINED', `${gate.title} not signed`);
  }
  const record: GateRecord = {
    gate: gate.id,
    title: gate.title,
    env,
    at: new Date().toISOString(),
    codeSha256: s.live.codeSha256,
    version: s.live.version,
    ...(release ? { release } : {}),
    checklistRunId: run.id,
    approverRole: gate.approver,
    summary: summarize(run.items),
    ...s.actor,
  };
  await s.governance.signoff(record);
  io.info(
    'GATE_SIGNED',
    `${gate.title} signed for package ${record.codeSha256} (v${record.version}) by ${record.actor} — evidence ${files.markdown}`,
  );
  io.document({ ok: true, env, gate: record, files });
};
