import { describe, expect, it } from 'vitest';
import type { ChecklistFile } from '../../cli/checklists/checklist-schema.js';
import { evaluateItems, gateBlockers, summarize } from '../../cli/checklists/evaluate.js';
import type { Confirmation } from '../../cli/checklists/governance-store.js';
import type { ProbeResult } from '../../cli/checklists/probe.js';
import { probesOf } from '../../cli/checklists/run-checklist.js';

const file: ChecklistFile = {
  env: 'sit',
  phases: [
    {
      id: 'sit-pre',
      title: 'Pre-Deployment Checklist',
      sections: [
        {
          id: 'sit-pre-infra',
          title: 'Infrastructure',
          items: [
            { id: 'table', text: 'Verify table', check: 'table', required: true },
            { id: 'gsis', text: 'Confirm GSIs', check: 'table-gsis', required: true },
            { id: 'vpc', text: 'VPC (if applicable)', check: 'vpc', required: false },
            { id: 'suite', text: 'Run suite', manual: 'attach the report', required: true },
            { id: 'cognito', text: 'Cognito (if used)', manual: 'say so', required: false },
          ],
        },
      ],
    },
    {
      id: 'sit-success',
      title: 'SIT Success',
      sections: [
        {
          id: 'sit-success-all',
          title: 'SIT Success',
          items: [
            { id: 'smoke', text: 'All smoke tests passing', check: 'smoke-passed', required: true },
          ],
        },
      ],
    },
  ],
  gates: [{ id: 'gate', title: 'Gate 4', phases: ['sit-pre'], approver: 'Tech Lead' }],
};

const probe = (name: ProbeResult['probe'], ok: boolean): [string, ProbeResult] => [
  name,
  {
    probe: name,
    name,
    ok,
    detail: ok ? 'ok' : 'missing',
    at: '2026-01-10T11:00:00Z',
    value: { seen: ok },
  },
];

const confirmed = (itemId: string): [string, Confirmation] => [
  itemId,
  {
    itemId,
    at: '2026-01-11T09:00:00Z',
    evidence: 'https://ci.example.com/1',
    comment: 'done',
    actor: 'lerato',
    callerArn: 'arn:aws:sts::815856636111:assumed-role/Tebogo-sit/lerato',
    gitUser: 'Lerato M',
  },
];

describe('checklist evaluation (pure)', () => {
  it('runs each probe once and only those of the chosen phases', () => {
    expect(probesOf(file)).toEqual(['table', 'table-gsis', 'vpc', 'smoke-passed']);
    expect(probesOf(file, ['sit-success'])).toEqual(['smoke-passed']);
  });

  it.each([
    {
      name: 'every required item passed or confirmed → no blocker',
      probes: [probe('table', true), probe('table-gsis', true), probe('vpc', false)],
      confirmations: [confirmed('suite')],
      blockers: [],
    },
    {
      name: 'a failed required probe blocks',
      probes: [probe('table', true), probe('table-gsis', false), probe('vpc', true)],
      confirmations: [confirmed('suite')],
      blockers: ['gsis'],
    },
    {
      name: 'an open required manual item blocks; an open optional one does not',
      probes: [probe('table', true), probe('table-gsis', true), probe('vpc', true)],
      confirmations: [],
      blockers: ['suite'],
    },
    {
      name: 'a probe that did not run is open and blocks',
      probes: [probe('table-gsis', true), probe('vpc', true)],
      confirmations: [confirmed('suite')],
      blockers: ['table'],
    },
  ])('$name', ({ probes, confirmations, blockers }) => {
    // Act
    const items = evaluateItems(file, undefined, new Map(probes), new Map(confirmations));

    // Assess
    expect(gateBlockers(file.gates[0]!, items).map((i) => i.id)).toEqual(blockers);
  });

  it('does not let items of other phases block a gate', () => {
    // Prepare: smoke (sit-success) fails, but the gate covers sit-pre only
    const probes = new Map([
      probe('table', true),
      probe('table-gsis', true),
      probe('vpc', true),
      probe('smoke-passed', false),
    ]);

    // Act
    const items = evaluateItems(file, undefined, probes, new Map([confirmed('suite')]));

    // Assess
    expect(items.find((i) => i.id === 'smoke')?.status).toBe('fail');
    expect(gateBlockers(file.gates[0]!, items)).toEqual([]);
  });

  it('records what was seen, when and by whom', () => {
    // Act
    const items = evaluateItems(
      file,
      ['sit-pre'],
      new Map([probe('table', true)]),
      new Map([confirmed('suite')]),
    );

    // Assess
    expect(items.find((i) => i.id === 'table')).toMatchObject({
      status: 'pass',
      value: { seen: true },
      at: '2026-01-10T11:00:00Z',
    });
    expect(items.find((i) => i.id === 'suite')).toMatchObject({
      status: 'confirmed',
      by: 'lerato (Lerato M)',
      value: { evidence: 'https://ci.example.com/1' },
    });
    expect(summarize(items)).toEqual({ pass: 1, confirmed: 1, open: 3, fail: 0 });
  });
});
