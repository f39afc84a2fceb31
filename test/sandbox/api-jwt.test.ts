import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { base64url, decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  audienceFor,
  issuerFor,
  loadSandboxKeys,
  PRIVATE_KEY_FILE,
  PUBLIC_KEYS_FILE,
  type SandboxKeys,
  SandboxTokenError,
} from '../../sandbox/api/jwt.js';

const tempDir = () => mkdtemp(join(tmpdir(), 'sandbox-keys-'));

/** The verifier's rejection, or a failure if it accepted the token. */
const rejectionOf = async (keys: SandboxKeys, env: 'dev' | 'sit' | 'prod', token: string) => {
  try {
    await keys.verifyToken(env, token);
  } catch (error) {
    return error;
  }
  throw new Error('expected the token to be rejected');
};

describe('sandbox JWTs', () => {
  let dir: string;
  let keys: SandboxKeys;

  beforeAll(async () => {
    dir = await tempDir();
    keys = await loadSandboxKeys(dir);
  });

  it('persists one RS256 key pair as JWK files, private readable by the owner only', async () => {
    // Prepare / Act
    const again = await loadSandboxKeys(dir);
    const mode = (await stat(join(dir, PRIVATE_KEY_FILE))).mode & 0o777;
    const jwks = JSON.parse(await readFile(join(dir, PUBLIC_KEYS_FILE), 'utf8'));

    // Assess
    expect(again.kid).toBe(keys.kid);
    expect(mode).toBe(0o600);
    expect(jwks.keys).toEqual([keys.publicJwk]);
    expect(keys.publicJwk).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: keys.kid });
    expect(keys.publicJwk).not.toHaveProperty('d');
  });

  it('two first loads racing on an empty directory agree on a single key', async () => {
    // Prepare
    const fresh = await tempDir();

    // Act
    const loaded = await Promise.all([1, 2, 3, 4].map(() => loadSandboxKeys(fresh)));

    // Assess
    expect(new Set(loaded.map((k) => k.kid)).size).toBe(1);
    const token = await loaded[0]!.mintToken({ env: 'dev', customerId: 'c1' });
    await expect(loaded[3]!.verifyToken('dev', token)).resolves.toMatchObject({
      sub: expect.any(String),
    });
  });

  it('mints a customer token with the Cognito-style claims and verifies it', async () => {
    // Act
    const token = await keys.mintToken({ env: 'sit', customerId: 'cust_test_001' });
    const claims = await keys.verifyToken('sit', token);

    // Assess
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', kid: keys.kid, typ: 'JWT' });
    expect(claims).toMatchObject({
      iss: 'https://sandbox.promote.local/sit',
      aud: 'order-api-sit',
      sub: 'sandbox-user-cust_test_001',
      'custom:customer_id': 'cust_test_001',
    });
    expect(claims['cognito:groups']).toBeUndefined();
    expect(claims.exp! - claims.iat!).toBe(3600);
  });

  it('an admin token carries cognito:groups ["admin"], the given subject and ttl', async () => {
    // Act
    const token = await keys.mintToken({
      env: 'prod',
      admin: true,
      subject: 'ops-1',
      ttlSeconds: 120,
    });
    const claims = await keys.verifyToken('prod', token);

    // Assess
    expect(claims).toMatchObject({ sub: 'ops-1', 'cognito:groups': ['admin'] });
    expect(claims['custom:customer_id']).toBeUndefined();
    expect(claims.exp! - claims.iat!).toBe(120);
  });

  it('a token minted for sit does not verify on prod (issuer and audience differ)', async () => {
    // Prepare
    const token = await keys.mintToken({ env: 'sit', customerId: 'cust_test_001', admin: true });

    // Act
    const error = await rejectionOf(keys, 'prod', token);

    // Assess
    expect(error).toBeInstanceOf(SandboxTokenError);
    expect((error as SandboxTokenError).code).toBe('ERR_JWT_CLAIM_VALIDATION_FAILED');
    expect(issuerFor('sit')).not.toBe(issuerFor('prod'));
    expect(audienceFor('sit')).not.toBe(audienceFor('prod'));
  });

  it('rejects an expired token', async () => {
    // Prepare: issued two hours ago for one minute.
    const token = await keys.mintToken({
      env: 'dev',
      customerId: 'c1',
      ttlSeconds: 60,
      now: new Date(Date.now() - 2 * 3600_000),
    });

    // Act
    const error = await rejectionOf(keys, 'dev', token);

    // Assess
    expect((error as SandboxTokenError).code).toBe('ERR_JWT_EXPIRED');
  });

  it('rejects a token whose payload was altered after signing', async () => {
    // Prepare: swap in another customer's id, keep header and signature.
    const original = await keys.mintToken({ env: 'sit', customerId: 'mine' });
    const [header, , signature] = original.split('.');
    const forged = { ...decodeJwt(original) };
    forged['custom:customer_id'] = 'someone_else';
    const token = `${header}.${base64url.encode(JSON.stringify(forged))}.${signature}`;

    // Act
    const error = await rejectionOf(keys, 'sit', token);

    // Assess
    expect((error as SandboxTokenError).code).toBe('ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
  });

  it('rejects alg "none" and HS256 signed with the public key', async () => {
    // Prepare: valid claims, no signature; then the classic RS/HS confusion.
    const claims = decodeJwt(await keys.mintToken({ env: 'sit', admin: true }));
    const part = (value: unknown) => base64url.encode(JSON.stringify(value));
    const unsigned = `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
    const hs256 = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: keys.kid })
      .sign(new TextEncoder().encode(JSON.stringify(keys.publicJwk)));

    // Act
    const errors = [
      await rejectionOf(keys, 'sit', unsigned),
      await rejectionOf(keys, 'sit', hs256),
    ];

    // Assess
    for (const error of errors) expect(error).toBeInstanceOf(SandboxTokenError);
  });

  it("rejects another sandbox's token and anything that is not a JWT", async () => {
    // Prepare
    const other = await loadSandboxKeys(await tempDir());
    const foreign = await other.mintToken({ env: 'sit', customerId: 'c1' });

    // Act
    const errors = [
      await rejectionOf(keys, 'sit', foreign),
      await rejectionOf(keys, 'sit', 'not-a-jwt'),
      await rejectionOf(keys, 'sit', ''),
    ];

    // Assess
    expect(other.kid).not.toBe(keys.kid);
    for (const error of errors) expect(error).toBeInstanceOf(SandboxTokenError);
  });

  it('refuses to mint for an unknown environment or with a nonsensical ttl', async () => {
    // Act / Assess
    await expect(keys.mintToken({ env: 'qa' as 'dev' })).rejects.toThrow(RangeError);
    await expect(keys.mintToken({ env: 'dev', ttlSeconds: 0 })).rejects.toThrow(RangeError);
    await expect(keys.mintToken({ env: 'dev', ttlSeconds: 1.5 })).rejects.toThrow(RangeError);
  });
});
