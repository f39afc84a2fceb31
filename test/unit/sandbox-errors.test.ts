import { describe, expect, it } from 'vitest';
import { PromoteError } from '../../cli/errors.js';
import { explainSandboxError } from '../../cli/sandbox-errors.js';
import { SandboxError } from '../../sandbox/sandbox-error.js';

describe('explainSandboxError', () => {
  it.each([
    ['SANDBOX_START_FAILED', 8],
    ['SANDBOX_DATA_DIR_BUSY', 8],
    ['SANDBOX_PREREQUISITE_MISSING', 8],
    ['SANDBOX_REQUEST_REJECTED', 2],
  ] as const)('a SandboxError %s becomes exit %i with its code and hint', (code, exit) => {
    // Prepare
    const error = new SandboxError(code, 'what went wrong', 'what to do');

    // Act
    const explained = explainSandboxError(error) as PromoteError;

    // Assess
    expect(explained).toBeInstanceOf(PromoteError);
    expect([explained.code, explained.exitCode, explained.hint]).toEqual([
      code,
      exit,
      'what to do',
    ]);
  });
});

it('leaves anything but a SandboxError as it is', () => {
  const other = new Error('x');
  expect(explainSandboxError(other)).toBe(other);
});
