import { describe, expect, it } from 'vitest';
import { explainAwsError } from '../../cli/aws/aws-errors.js';
import { PromoteError } from '../../cli/errors.js';

const named = (name: string, message = 'from the SDK') =>
  Object.assign(new Error(message), { name });

describe('explainAwsError', () => {
  it.each([
    ['CredentialsProviderError', 'AWS_CREDENTIALS'],
    ['ExpiredTokenException', 'AWS_CREDENTIALS'],
    ['InvalidClientTokenId', 'AWS_CREDENTIALS'],
    ['UnrecognizedClientException', 'AWS_CREDENTIALS'],
    ['AccessDeniedException', 'AWS_ACCESS_DENIED'],
  ])('%s → preflight blocked (%s), exit 3, with a hint', (name, code) => {
    // Act
    const explained = explainAwsError(named(name));

    // Assess
    expect(explained).toBeInstanceOf(PromoteError);
    expect((explained as PromoteError).code).toBe(code);
    expect((explained as PromoteError).exitCode).toBe(3);
    expect((explained as PromoteError).hint).toBeTruthy();
  });

  it('leaves other errors and PromoteErrors as they are', () => {
    // Prepare
    const other = named('ThrottlingException');
    const own = new PromoteError('lock_held', 'LOCK_HELD', 'held');

    // Act / Assess
    expect(explainAwsError(other)).toBe(other);
    expect(explainAwsError(own)).toBe(own);
    expect(explainAwsError('text')).toBe('text');
  });
});
