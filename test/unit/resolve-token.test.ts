import { describe, expect, it } from 'vitest';
import { resolveToken, tokenEnvVar } from '../../cli/smoke/resolve-token.js';

describe('resolveToken', () => {
  it('prefers --token over the environment variable', () => {
    // Act
    const resolved = resolveToken({
      flag: 'flag-token',
      env: 'sit',
      processEnv: { SIT_TOKEN: 'env-token' },
    });

    // Assess
    expect(resolved).toEqual({ token: 'flag-token', source: 'flag' });
  });

  it("falls back to the environment's <ENV>_TOKEN, as the plan's curl calls use", () => {
    // Prepare
    const processEnv = { DEV_TOKEN: 'd', SIT_TOKEN: 's', PROD_TOKEN: 'p' };

    // Act
    const dev = resolveToken({ env: 'dev', processEnv });
    const sit = resolveToken({ env: 'sit', processEnv });
    const prod = resolveToken({ env: 'prod', processEnv });

    // Assess
    expect(dev).toEqual({ token: 'd', source: 'env' });
    expect(sit).toEqual({ token: 's', source: 'env' });
    expect(prod).toEqual({ token: 'p', source: 'env' });
  });

  it("never borrows another environment's token", () => {
    // Act
    const resolved = resolveToken({ env: 'prod', processEnv: { SIT_TOKEN: 's', sit_token: 'x' } });

    // Assess
    expect(resolved).toBeUndefined();
  });

  it('treats empty or blank values as absent and trims surrounding whitespace', () => {
    // Act
    const blankFlag = resolveToken({ flag: '  ', env: 'sit', processEnv: { SIT_TOKEN: ' s \n' } });
    const nothing = resolveToken({ flag: '', env: 'sit', processEnv: { SIT_TOKEN: '' } });

    // Assess
    expect(blankFlag).toEqual({ token: 's', source: 'env' });
    expect(nothing).toBeUndefined();
  });

  it('names the variable per environment', () => {
    expect(tokenEnvVar('sit')).toBe('SIT_TOKEN');
    expect(tokenEnvVar('prod')).toBe('PROD_TOKEN');
  });
});
