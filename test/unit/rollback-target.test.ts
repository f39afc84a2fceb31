import { describe, expect, it } from 'vitest';
import type { VersionInfo } from '../../cli/aws/lambda-api.js';
import { resolveRollbackTarget } from '../../cli/commands/rollback-run.js';
import { PromoteError } from '../../cli/errors.js';
import { newJournal, type RunJournal } from '../../cli/journal/run-journal.js';

const VERSIONS: VersionInfo[] = [
  {
    version: '1',
    codeSha256: 'a=',
    description: 'release v0.9.0-prod git 111111111111 by promote run r1',
  },
  {
    version: '2',
    codeSha256: 'b=',
    description: 'release v1.0.0-prod git abc123abc123 by promote run r2',
  },
  {
    version: '3',
    codeSha256: 'c=',
    description: 'release v1.1.0-prod git def456def456 by promote run r3',
  },
  {
    version: '4',
    codeSha256: 'd=',
    description: 'release v1.2.0-prod git 999999999999 by promote run r4',
  },
];

const run = (
  command: RunJournal['command'],
  versions: RunJournal['versions'],
  status: RunJournal['status'] = 'succeeded',
): RunJournal => {
  const journal = newJournal({ env: 'prod', command, actor: 'ci', sandbox: false, steps: [] });
  journal.versions = versions;
  journal.status = status;
  return journal;
};

const refusal = (action: () => unknown): PromoteError => {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(PromoteError);
  return caught as PromoteError;
};

describe('resolveRollbackTarget: refusals', () => {
  it.each([
    { to: '$LATEST', history: [], code: 'ROLLBACK_LATEST' },
    { to: '9', history: [], code: 'ROLLBACK_UNKNOWN_VERSION' },
    { to: 'v9.9.9-prod', history: [], code: 'ROLLBACK_UNKNOWN_VERSION' },
    { to: '4', history: [], code: 'ROLLBACK_IS_CURRENT' },
    { to: 'v1.2.0-prod', history: [], code: 'ROLLBACK_IS_CURRENT' },
    { to: undefined, history: [], code: 'ROLLBACK_NO_PREVIOUS' },
    {
      to: undefined,
      // Only a rollback and a promote that never armed a `before`.
      history: [run('rollback', { before: '3', after: '4' }), run('promote', {}, 'failed')],
      code: 'ROLLBACK_NO_PREVIOUS',
    },
  ])('refuses --to $to with $code', ({ to, history, code }) => {
    // Prepare
    const current = '4';

    // Act
    const error = refusal(() => resolveRollbackTarget(to, VERSIONS, current, history));

    // Assess
    expect(error.code).toBe(code);
    expect(error.reason).toBe('usage');
    expect(error.exitCode).toBe(2);
  });

  it('names the published versions when the one asked for does not exist', () => {
    // Prepare
    const current = '4';

    // Act
    const error = refusal(() => resolveRollbackTarget('9', VERSIONS, current, []));

    // Assess
    expect(error.message).toContain('no published version 9');
    expect(error.hint).toContain('1, 2, 3, 4');
  });
});

describe('resolveRollbackTarget: resolutions', () => {
  it.each([
    { to: '2', expected: '2', why: 'a version number' },
    { to: 'v1.0.0-prod', expected: '2', why: 'a release tag in the description' },
    { to: 'v0.9.0-prod', expected: '1', why: 'an older release tag' },
  ])('resolves $why ($to → $expected)', ({ to, expected }) => {
    // Prepare
    const current = '4';

    // Act
    const target = resolveRollbackTarget(to, VERSIONS, current, []);

    // Assess
    expect(target.version).toBe(expected);
  });

  it('does not match a tag that is only a prefix of a word in the description', () => {
    // Prepare
    const current = '4';

    // Act
    const error = refusal(() => resolveRollbackTarget('v1.0.0', VERSIONS, current, []));

    // Assess
    expect(error.code).toBe('ROLLBACK_UNKNOWN_VERSION');
  });

  it('picks the newest version carrying a tag that was published twice', () => {
    // Prepare
    const versions: VersionInfo[] = [
      ...VERSIONS,
      { version: '5', codeSha256: 'b=', description: 'release v1.0.0-prod git abc123abc123 rerun' },
      { version: '6', codeSha256: 'e=', description: 'release v2.0.0-prod' },
    ];

    // Act
    const target = resolveRollbackTarget('v1.0.0-prod', versions, '6', []);

    // Assess
    expect(target.version).toBe('5');
  });

  it('defaults to the `before` of the latest promote in the journal', () => {
    // Prepare
    const history = [
      run('rollback', { before: '4', after: '1' }),
      run('promote', { before: '3', candidate: '4', after: '4' }),
      run('promote', { before: '2', candidate: '3', after: '3' }),
    ];

    // Act
    const target = resolveRollbackTarget(undefined, VERSIONS, '4', history);

    // Assess
    expect(target.version).toBe('3');
    expect(target.description).toContain('v1.1.0-prod');
  });

  it('skips a promote whose `before` is already live (it was rolled back)', () => {
    // Prepare
    const history = [
      run('promote', { before: '4', candidate: '5', after: '4' }, 'rolled_back'),
      run('promote', { before: '3', candidate: '4', after: '4' }),
    ];

    // Act
    const target = resolveRollbackTarget(undefined, VERSIONS, '4', history);

    // Assess
    expect(target.version).toBe('3');
  });
});
