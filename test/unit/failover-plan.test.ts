import { describe, expect, it } from 'vitest';
import type { FailoverRecord } from '../../cli/aws/dns-api.js';
import { PromoteError } from '../../cli/errors.js';
import { activeRegion, failoverChanges } from '../../cli/ops/failover-plan.js';
import { regionOfApiTarget } from '../../infra/api-gateway-domain.js';

const target = (region: string, zone: string) => ({
  dnsName: `d-0123456789.execute-api.${region}.amazonaws.com.`,
  hostedZoneId: zone,
  evaluateTargetHealth: true,
});
const PAIR: FailoverRecord[] = [
  {
    setIdentifier: 'primary',
    failover: 'PRIMARY',
    aliasTarget: target('af-south-1', 'Z2DHW2332DAMTN'),
  },
  {
    setIdentifier: 'secondary',
    failover: 'SECONDARY',
    aliasTarget: target('eu-west-1', 'ZLY8HYME6SFDD'),
  },
];

describe('failover plan', () => {
  it.each([
    ['d-abc.execute-api.eu-west-1.amazonaws.com', 'eu-west-1'],
    ['d-abc.execute-api.af-south-1.amazonaws.com.', 'af-south-1'],
    ['example.com', undefined],
  ])('reads the region of %s', (dnsName, region) => {
    // Act / Assess
    expect(regionOfApiTarget(dnsName)).toBe(region);
  });

  it('swaps the alias targets so the failover region becomes primary, keeping identifiers', () => {
    // Act
    const changes = failoverChanges(PAIR, 'eu-west-1');

    // Assess
    expect(changes).toEqual([
      {
        setIdentifier: 'primary',
        failover: 'PRIMARY',
        aliasTarget: target('eu-west-1', 'ZLY8HYME6SFDD'),
      },
      {
        setIdentifier: 'secondary',
        failover: 'SECONDARY',
        aliasTarget: target('af-south-1', 'Z2DHW2332DAMTN'),
      },
    ]);
    expect(activeRegion(changes)).toBe('eu-west-1');
    expect(activeRegion(PAIR)).toBe('af-south-1');
  });

  it('changes nothing when the region already answers', () => {
    // Act / Assess
    expect(failoverChanges(PAIR, 'af-south-1')).toEqual([]);
  });

  it.each<[string, FailoverRecord[], string, string]>([
    ['a region the pair does not name', PAIR, 'us-east-1', 'FAILOVER_UNKNOWN_REGION'],
    ['a simple record, not a pair', PAIR.slice(0, 1), 'eu-west-1', 'FAILOVER_RECORDS'],
  ])('refuses %s', (_name, records, region, code) => {
    // Act
    const error = (() => {
      try {
        failoverChanges(records, region);
      } catch (e) {
        return e;
      }
    })();

    // Assess
    expect(error).toBeInstanceOf(PromoteError);
    expect((error as PromoteError).code).toBe(code);
  });
});
