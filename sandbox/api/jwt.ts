import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';
import { z } from 'zod';
import { type EnvName, isEnvName } from '../../infra/environments.js';

/**
 * Sandbox JWTs: what Cognito issues in AWS, minted locally. One RS256 key pair per sandbox
 * (not per environment): environments are kept apart by issuer and audience, exactly the
 * claims a Cognito authorizer checks, so a sit token fails on prod for the same reason it
 * would in AWS (another user pool) rather than because of a sandbox-only mechanism.
 */

export const ALGORITHM = 'RS256';
/** Private key (with its public half), readable by the owner only. */
export const PRIVATE_KEY_FILE = 'signing-key.private.jwk.json';
/** Public key as a JWKS, for anyone who wants to verify sandbox tokens themselves. */
export const PUBLIC_KEYS_FILE = 'signing-key.public.jwks.json';

const DEFAULT_TTL_SECONDS = 3600;
/** Long enough for a soak run, short enough that a leaked token does not live forever. */
const MAX_TTL_SECONDS = 7 * 24 * 3600;

export const issuerFor = (env: EnvName): string => `https://sandbox.promote.local/${env}`;
export const audienceFor = (env: EnvName): string => `order-api-${env}`;

export interface MintOptions {
  readonly env: EnvName;
  /** Becomes `custom:customer_id`; the service lets the caller act only for this customer. */
  readonly customerId?: string;
  /** Adds `cognito:groups: ['admin']`. */
  readonly admin?: boolean;
  /** `sub`; derived from the customer (or `sandbox-admin`) so history entries stay readable. */
  readonly subject?: string;
  readonly ttlSeconds?: number;
  /** Issue time; tests set it in the past to obtain an expired token. */
  readonly now?: Date;
}

/** The verified claims the front hands to the function as the authorizer's. */
export interface SandboxClaims extends JWTPayload {
  readonly sub: string;
  readonly 'custom:customer_id'?: string;
  readonly 'cognito:groups'?: string[];
}

/** Why a token was refused; the front answers 401 whatever the reason. */
export class SandboxTokenError extends Error {
  override readonly name = 'SandboxTokenError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface TokenVerifier {
  /** Resolves with the claims, or rejects with {@link SandboxTokenError}. */
  verifyToken(env: EnvName, token: string): Promise<SandboxClaims>;
}

export interface SandboxKeys extends TokenVerifier {
  /** RFC 7638 thumbprint of the public key; the tokens' `kid`. */
  readonly kid: string;
  readonly publicJwk: JWK;
  mintToken(options: MintOptions): Promise<string>;
}

const claimsSchema = z.looseObject({
  sub: z.string().min(1),
  'custom:customer_id': z.string().optional(),
  'cognito:groups': z.array(z.string()).optional(),
});

const isErrno = (error: unknown, code: string): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;

/**
 * Generates the key pair unless one exists. Two processes may start at once (daemon and a
 * `promote sandbox token`): each writes a temp file and hard-links it into place, which
 * fails rather than overwrites, so exactly one key wins and both then read that one.
 */
const ensurePrivateJwk = async (dir: string): Promise<JWK> => {
  const path = join(dir, PRIVATE_KEY_FILE);
  try {
    return JSON.parse(await readFile(path, 'utf8')) as JWK;
  } catch (error) {
    if (!isErrno(error, 'ENOENT')) throw error;
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const jwk = await exportJWK(privateKey);
  const temp = join(dir, `.${PRIVATE_KEY_FILE}.${randomUUID()}`);
  await writeFile(temp, `${JSON.stringify(jwk)}\n`, { mode: 0o600 });
  try {
    await link(temp, path);
  } catch (error) {
    if (!isErrno(error, 'EEXIST')) throw error;
  } finally {
    await unlink(temp);
  }
  return JSON.parse(await readFile(path, 'utf8')) as JWK;
};

const publicPart = (jwk: JWK): JWK => {
  if (jwk.kty !== 'RSA' || !jwk.n || !jwk.e || !jwk.d) {
    throw new Error(`${PRIVATE_KEY_FILE} is not an RSA private JWK`);
  }
  return { kty: jwk.kty, n: jwk.n, e: jwk.e };
};

const defaultSubject = (options: MintOptions): string => {
  if (options.customerId) return `sandbox-user-${options.customerId}`;
  if (options.admin) return 'sandbox-admin';
  return `sandbox-user-${randomUUID()}`;
};

const assertEnv = (env: string): void => {
  if (!isEnvName(env)) throw new RangeError(`unknown environment "${env}"`);
};

/**
 * Loads the sandbox's signing key from `dir` (e.g. `sandboxPaths().keys`), generating and
 * persisting it on first use, and returns a minter/verifier bound to it.
 */
export const loadSandboxKeys = async (dir: string): Promise<SandboxKeys> => {
  const privateJwk = await ensurePrivateJwk(dir);
  const kid = await calculateJwkThumbprint(publicPart(privateJwk));
  const publicJwk: JWK = { ...publicPart(privateJwk), kid, alg: ALGORITHM, use: 'sig' };
  // Derived from the private key, so rewriting it is idempotent; rename keeps readers whole.
  const jwksPath = join(dir, PUBLIC_KEYS_FILE);
  const temp = `${jwksPath}.${randomUUID()}`;
  await writeFile(temp, `${JSON.stringify({ keys: [publicJwk] }, null, 2)}\n`, { mode: 0o644 });
  await rename(temp, jwksPath);

  const privateKey = await importJWK(privateJwk, ALGORITHM);
  // A local JWKS checks `kid` and `alg` against the key like Cognito's published JWKS does.
  const jwks = createLocalJWKSet({ keys: [publicJwk] });

  return {
    kid,
    publicJwk,
    async mintToken(options) {
      assertEnv(options.env);
      const ttl = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL_SECONDS) {
        throw new RangeError(`ttlSeconds must be an integer in 1..${MAX_TTL_SECONDS}`);
      }
      const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
      return new SignJWT({
        token_use: 'id',
        ...(options.customerId !== undefined ? { 'custom:customer_id': options.customerId } : {}),
        ...(options.admin ? { 'cognito:groups': ['admin'] } : {}),
      })
        .setProtectedHeader({ alg: ALGORITHM, kid, typ: 'JWT' })
        .setIssuer(issuerFor(options.env))
        .setAudience(audienceFor(options.env))
        .setSubject(options.subject ?? defaultSubject(options))
        .setJti(randomUUID())
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttl)
        .sign(privateKey);
    },
    async verifyToken(env, token) {
      assertEnv(env);
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, jwks, {
          issuer: issuerFor(env),
          audience: audienceFor(env),
          // Pinning the algorithm is what stops `alg: none` and HS256-with-the-public-key.
          algorithms: [ALGORITHM],
          requiredClaims: ['exp', 'iat', 'sub'],
        }));
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        throw new SandboxTokenError(
          typeof code === 'string' ? code : 'ERR_JWT_INVALID',
          error instanceof Error ? error.message : 'invalid token',
        );
      }
      const claims = claimsSchema.safeParse(payload);
      if (!claims.success) {
        throw new SandboxTokenError('ERR_JWT_CLAIM_INVALID', 'token claims have the wrong shape');
      }
      return claims.data as SandboxClaims;
    },
  };
};
