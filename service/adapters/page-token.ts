import { createHmac, timingSafeEqual } from 'node:crypto';
import { OrderError } from '../domain/errors.js';
import type { PageKey } from './order-repository.js';

/**
 * Opaque, tamper-evident pagination tokens.
 *
 * A token carries DynamoDB's LastEvaluatedKey and is bound (by HMAC) to the caller and the
 * exact query it came from, so a forged token, an edited one, or one replayed by another
 * customer or with other filters is rejected with 400 instead of leaking other rows.
 */
export class PageTokenCodec {
  constructor(private readonly secret: string) {
    if (secret.length < 16) throw new Error('pagination secret must be at least 16 characters');
  }

  encode(key: PageKey, scope: string): string {
    const payload = Buffer.from(JSON.stringify(key)).toString('base64url');
    return `${payload}.${this.sign(payload, scope)}`;
  }

  decode(token: string, scope: string): PageKey {
    const invalid = () =>
      new OrderError('invalid', 'invalid_next_token', 'next_token is not valid for this query', {
        field: 'next_token',
      });
    const [payload, signature, extra] = token.split('.');
    if (!payload || !signature || extra !== undefined) throw invalid();
    const expected = Buffer.from(this.sign(payload, scope));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid();
    try {
      const key: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      if (typeof key !== 'object' || key === null || Array.isArray(key)) throw invalid();
      return key as PageKey;
    } catch {
      throw invalid();
    }
  }

  private sign(payload: string, scope: string): string {
    return createHmac('sha256', this.secret)
      .update(scope)
      .update('\n')
      .update(payload)
      .digest('base64url');
  }
}
