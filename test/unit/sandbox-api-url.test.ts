import { describe, expect, it } from 'vitest';
import { regionOfApiTarget } from '../../infra/api-gateway-domain.js';
import { ENVIRONMENTS } from '../../infra/environments.js';
import { sandboxApiUrl } from '../../sandbox/control-client.js';
import { apiRecords } from '../../sandbox/provision-dns-backup.js';

/** How "the API of <env> in <region>" resolves to a sandbox front. */

const state = {
  apiUrls: { sit: 'http://127.0.0.1:4568', prod: 'http://127.0.0.1:4569' },
  failoverApiUrls: { prod: 'http://127.0.0.1:4570' },
};

describe('sandboxApiUrl', () => {
  it.each([
    ['prod in its primary region', ENVIRONMENTS.prod, 'af-south-1', 'http://127.0.0.1:4569'],
    ['prod in its failover region', ENVIRONMENTS.prod, 'eu-west-1', 'http://127.0.0.1:4570'],
    ['prod with no region: the primary', ENVIRONMENTS.prod, undefined, 'http://127.0.0.1:4569'],
    ['sit in its only region', ENVIRONMENTS.sit, 'eu-west-1', 'http://127.0.0.1:4568'],
    ['sit in a region it is not in', ENVIRONMENTS.sit, 'af-south-1', undefined],
  ])('%s', (_title, env, region, expected) => {
    // Act
    const url = sandboxApiUrl(state, env, region);

    // Assess
    expect(url).toBe(expected);
  });
});

describe('regionOfApiTarget', () => {
  it("reads the region of each of PROD's failover records, the secondary's being eu-west-1", () => {
    // Prepare
    const [primary, secondary] = apiRecords(ENVIRONMENTS.prod);

    // Act
    const regions = [primary, secondary].map((r) =>
      regionOfApiTarget(r?.AliasTarget?.DNSName ?? ''),
    );

    // Assess
    expect(regions).toEqual(['af-south-1', 'eu-west-1']);
    expect(sandboxApiUrl(state, ENVIRONMENTS.prod, regions[1])).toBe(state.failoverApiUrls.prod);
    expect(regionOfApiTarget('example.com.')).toBeUndefined();
  });
});
