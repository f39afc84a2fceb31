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
  ])('%s → preflight blocked (%s), exit 3, with a hint', (name, code) => {
    // Act
    const explained = explainAwsError(named(name));

    // Assess
    expect(explained).toBeInstanceOf(PromoteError);
    expect((explained as PromoteError).code).toBe(code);
    expect((explained as PromoteError).exitCode).toBe(3);
    expect((explained as PromoteError).hint).toBeTruthy();
  });

  it.each([
    ['AccessDeniedException', 'AWS_ACCESS_DENIED', 13],
    ['AccessDenied', 'AWS_ACCESS_DENIED', 13],
    ['ThrottlingException', 'AWS_THROTTLED', 12],
    ['TooManyRequestsException', 'AWS_THROTTLED', 12],
    ['ProvisionedThroughputExceededException', 'AWS_THROTTLED', 12],
  ])('%s → %s, exit %i, with a hint and the SDK error as cause', (name, code, exit) => {
    // Prepare
    const sdk = named(name);

    // Act
    const explained = explainAwsError(sdk) as PromoteError;

    // Assess
    expect(explained.code).toBe(code);
    expect(explained.exitCode).toBe(exit);
    expect(explained.hint).toBeTruthy();
    expect(explained.cause).toBe(sdk);
    expect(explained.message).not.toMatch(/nothing was changed/);
  });

  it.each([
    [
      'a socket error with code ECONNREFUSED',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED' }),
    ],
    [
      'fetch failed wrapping ENOTFOUND',
      new TypeError('fetch failed', {
        cause: Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' }),
      }),
    ],
    ['a client-side TimeoutError', named('TimeoutError', 'socket timed out')],
  ])('%s → AWS_UNREACHABLE, exit 11', (_what, error) => {
    // Act
    const explained = explainAwsError(error) as PromoteError;

    // Assess
    expect(explained.code).toBe('AWS_UNREACHABLE');
    expect(explained.exitCode).toBe(11);
    expect(explained.hint).toMatch(/--resume/);
  });

  it('leaves other errors and PromoteErrors as they are', () => {
    // Prepare
    const other = named('ResourceConflictException');
    const own = new PromoteError('lock_held', 'LOCK_HELD', 'held');

    // Act / Assess
    expect(explainAwsError(other)).toBe(other);
    expect(explainAwsError(own)).toBe(own);
    expect(explainAwsError('text')).toBe('text');
  });
});
