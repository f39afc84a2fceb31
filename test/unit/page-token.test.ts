import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PageTokenCodec } from '../../service/adapters/page-token.js';
import { OrderError } from '../../service/domain/errors.js';

const SECRET = 'unit-test-secret-0123456789';
const SCOPE = 'cust_alice|status=pending|limit=20';
const KEY = { PK: 'ORDER#ord_1', SK: 'METADATA', GSI1PK: 'CUSTOMER#cust_alice' };

const codec = new PageTokenCodec(SECRET);

/** Signs an arbitrary payload the way the codec does, to reach the checks after the HMAC. */
const forge = (payload: string, scope = SCOPE): string =>
  `${payload}.${createHmac('sha256', SECRET).update(scope).update('\n').update(payload).digest('base64url')}`;

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');

const expectInvalidToken = (token: string, scope = SCOPE): void => {
  let caught: unknown;
  try {
    codec.decode(token, scope);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(OrderError);
  expect((caught as OrderError).kind).toBe('invalid');
  expect((caught as OrderError).code).toBe('invalid_next_token');
  expect((caught as OrderError).details).toEqual({ field: 'next_token' });
};

describe('PageTokenCodec', () => {
  it('round-trips a key within the same scope', () => {
    // Act
    const token = codec.encode(KEY, SCOPE);

    // Assess
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(codec.decode(token, SCOPE)).toEqual(KEY);
  });

  it('is accepted by another codec with the same secret', () => {
    // Assess
    expect(new PageTokenCodec(SECRET).decode(codec.encode(KEY, SCOPE), SCOPE)).toEqual(KEY);
  });

  it('refuses a token signed with another secret', () => {
    // Prepare
    const token = new PageTokenCodec('another-secret-9876543210').encode(KEY, SCOPE);

    // Assess
    expectInvalidToken(token);
  });

  it('refuses a tampered payload', () => {
    // Prepare
    const [, signature] = codec.encode(KEY, SCOPE).split('.');
    const payload = b64(JSON.stringify({ ...KEY, PK: 'ORDER#ord_2' }));

    // Assess
    expectInvalidToken(`${payload}.${signature}`);
  });

  it('refuses a tampered signature', () => {
    // Prepare
    const [payload, signature = ''] = codec.encode(KEY, SCOPE).split('.');
    const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);

    // Assess
    expectInvalidToken(`${payload}.${flipped}`);
    expectInvalidToken(`${payload}.${signature.slice(1)}`);
    expectInvalidToken(`${payload}.${signature}x`);
  });

  it('refuses a token replayed in another scope', () => {
    // Prepare
    const token = codec.encode(KEY, SCOPE);

    // Assess
    expectInvalidToken(token, 'cust_bob|status=pending|limit=20');
    expectInvalidToken(token, `${SCOPE} `);
  });

  it.each([
    ['an empty string', ''],
    ['a lone dot', '.'],
    ['no signature', 'abc'],
    ['no payload', '.abc'],
    ['three parts', 'a.b.c'],
    ['non-base64 junk', '!!!.@@@'],
  ])('refuses garbage: %s', (_label, token) => {
    // Assess
    expectInvalidToken(token);
  });

  it.each([
    ['non-base64 payload', '!!!!'],
    ['a payload that is not JSON', b64('not json')],
    ['a JSON array payload', b64('["PK","SK"]')],
    ['a JSON null payload', b64('null')],
    ['a JSON string payload', b64('"PK"')],
    ['a JSON number payload', b64('42')],
  ])('refuses a correctly signed %s', (_label, payload) => {
    // Assess
    expectInvalidToken(forge(payload));
  });

  it('accepts a correctly signed object payload (the forge helper matches the codec)', () => {
    // Assess
    expect(codec.decode(forge(b64('{"PK":"x"}')), SCOPE)).toEqual({ PK: 'x' });
  });

  it('refuses a secret shorter than 16 characters', () => {
    // Assess
    expect(() => new PageTokenCodec('short')).toThrow(/at least 16/);
  });
});
