import { describe, expect, it } from 'vitest';
import { checkAliasRouting, javaDouble } from '../../sandbox/lambda/alias-routing.js';
import type { LambdaServiceError } from '../../sandbox/lambda/errors.js';
import { pageOf } from '../../sandbox/lambda/list-paging.js';

/** The pure parts of the Lambda control plane's refusals (no sandbox needed). */

const ARN = 'arn:aws:lambda:eu-west-1:815856636111:function:fn';
const refusal = (run: () => void): LambdaServiceError => {
  try {
    run();
  } catch (error) {
    return error as LambdaServiceError;
  }
  throw new Error('accepted');
};

describe('alias routing checks', () => {
  it('prints weights as Java does in validation messages', () => {
    // Act
    const printed = [2, -1, 0.5, 0, 1, 1e-4, 1.5e10].map(javaDouble);

    // Assess
    expect(printed).toEqual(['2.0', '-1.0', '0.5', '0.0', '1.0', '1.0E-4', '1.5E10']);
  });

  it('reports a bad key and a bad value as two validation errors in one message', () => {
    // Act
    const error = refusal(() =>
      checkAliasRouting({
        functionArn: ARN,
        functionVersion: '1',
        weights: { $LATEST: 2 },
        versions: new Set(['1', '2']),
      }),
    );

    // Assess
    expect(error.status).toBe(400);
    expect(error.code).toBe('ValidationException');
    expect(error.message).toMatch(
      /^2 validation errors detected: Value '\{\$LATEST=2\.0\}' at 'routingConfig\.additionalVersionWeights' failed to satisfy constraint: Map keys .*; Value '\{\$LATEST=2\.0\}' .* Map value must satisfy constraint/,
    );
  });

  it('accepts the boundaries 0 and 1, an empty map and no map', () => {
    // Prepare
    const base = { functionArn: ARN, functionVersion: '1', versions: new Set(['1', '2']) };

    // Act / Assess
    for (const weights of [{ '2': 0 }, { '2': 1 }, {}, undefined]) {
      expect(() => checkAliasRouting({ ...base, weights })).not.toThrow();
    }
  });
});

describe('list paging', () => {
  it('pages after the last item returned, even when items change between pages', () => {
    // Prepare
    const rank = (v: string) => (v === '$LATEST' ? -1 : Number(v));
    const first = pageOf(['$LATEST', '1', '2', '3'], String, rank, null, 2);

    // Act: version 2 is deleted, 4 published, before the next page is asked for.
    const second = pageOf(['$LATEST', '1', '3', '4'], String, rank, first.nextMarker ?? null, 2);

    // Assess
    expect(first.items).toEqual(['$LATEST', '1']);
    expect(second).toEqual({ items: ['3', '4'] });
  });
});
