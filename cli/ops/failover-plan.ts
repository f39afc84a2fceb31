import { regionOfApiTarget } from '../../infra/api-gateway-domain.js';
import type { FailoverRecord } from '../aws/dns-api.js';
import { PromoteError } from '../errors.js';

/** Which region answers for the domain now: the one the PRIMARY record points at. */
export const activeRegion = (records: readonly FailoverRecord[]): string | undefined => {
  const primary = records.find((r) => r.failover === 'PRIMARY');
  return primary ? regionOfApiTarget(primary.aliasTarget.dnsName) : undefined;
};

/**
 * The records that make `toRegion` answer for the API: the PRIMARY record takes the alias
 * target of `toRegion`, the SECONDARY the other one. Swapping targets (rather than the
 * records' roles) keeps terraform's set identifiers and health evaluation as they are.
 *
 * @returns the records to UPSERT, or an empty list when `toRegion` is already primary.
 * @throws PromoteError when the pair is not what terraform makes (two records, one per region).
 */
export const failoverChanges = (
  records: readonly FailoverRecord[],
  toRegion: string,
): FailoverRecord[] => {
  const primary = records.find((r) => r.failover === 'PRIMARY');
  const secondary = records.find((r) => r.failover === 'SECONDARY');
  if (!primary || !secondary || records.length !== 2) {
    throw new PromoteError(
      'preflight_blocked',
      'FAILOVER_RECORDS',
      `expected the API's failover pair (one PRIMARY, one SECONDARY record), found ${records.length} failover record(s)`,
      'terraform creates the pair in PROD (module api and api_failover); run promote prod first',
    );
  }
  const regions = [primary, secondary].map((r) => regionOfApiTarget(r.aliasTarget.dnsName));
  if (!regions.includes(toRegion)) {
    throw new PromoteError(
      'usage',
      'FAILOVER_UNKNOWN_REGION',
      `the API's records point at ${regions.join(' and ')}, not ${toRegion}`,
    );
  }
  if (regions[0] === toRegion) return [];
  return [
    { ...primary, aliasTarget: secondary.aliasTarget },
    { ...secondary, aliasTarget: primary.aliasTarget },
  ];
};
