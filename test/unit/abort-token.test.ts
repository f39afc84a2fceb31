import { describe, expect, it } from 'vitest';
import { OneTimeToken } from '../../cli/watch/abort-token.js';

describe('OneTimeToken', () => {
  it('is 64 random bits in four groups, different every time', () => {
    // Act
    const tokens = Array.from({ length: 20 }, () => new OneTimeToken().value);

    // Assess
    for (const t of tokens) expect(t).toMatch(/^[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}$/);
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it('accepts the token (spaces trimmed) until it is spent, then says used', () => {
    // Prepare
    const token = new OneTimeToken('abcd-ef01-2345-6789');

    // Act
    const first = token.check(' abcd-ef01-2345-6789 ');
    const again = token.check('abcd-ef01-2345-6789');
    token.spend();
    const afterSpend = token.check('abcd-ef01-2345-6789');

    // Assess
    expect([first, again, afterSpend]).toEqual(['ok', 'ok', 'used']);
    expect(token.spent).toBe(true);
  });

  it('locks after the allowed number of wrong tokens, even for the right one', () => {
    // Prepare
    const token = new OneTimeToken('abcd-ef01-2345-6789', 3);

    // Act
    const wrong = ['x', 'abcd-ef01-2345-6788', ''].map((t) => token.check(t));
    const right = token.check('abcd-ef01-2345-6789');

    // Assess
    expect(wrong).toEqual(['wrong', 'wrong', 'wrong']);
    expect(right).toBe('locked');
    expect(token.locked).toBe(true);
  });
});
