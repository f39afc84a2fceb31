import type { AwsTarget } from './target.js';

/** One record of the API's failover pair (terraform's `primary` / `secondary`). */
export interface FailoverRecord {
  readonly setIdentifier: string;
  readonly failover: 'PRIMARY' | 'SECONDARY';
  readonly aliasTarget: {
    readonly dnsName: string;
    readonly hostedZoneId: string;
    readonly evaluateTargetHealth: boolean;
  };
}

/**
 * The Route53 calls of `promote failover|failback`: read the API's failover pair, swap it in
 * one change batch (atomic in Route53), and wait until the change is INSYNC.
 */
export interface DnsApi {
  /** The zone's id and the API record's failover pair (empty when it is not a pair). */
  failoverPair(
    zone: string,
    record: string,
  ): Promise<{ zoneId: string; records: FailoverRecord[] } | undefined>;
  /** UPSERTs the records as given; returns the change id. */
  upsert(
    zoneId: string,
    record: string,
    records: readonly FailoverRecord[],
    comment: string,
  ): Promise<string>;
  /** PENDING until Route53 has propagated the change to its servers, then INSYNC. */
  changeStatus(changeId: string): Promise<string>;
}

export const dnsApi = (target: AwsTarget): DnsApi => {
  // Route53 is global: its endpoint lives in us-east-1.
  const config = { ...target.clientConfig, region: 'us-east-1' };
  const client = async () => {
    const r53 = await import('@aws-sdk/client-route-53');
    return { r53, client: new r53.Route53Client(config) };
  };
  return {
    async failoverPair(zone, record) {
      const { r53, client: c } = await client();
      const { HostedZones = [] } = await c.send(
        new r53.ListHostedZonesByNameCommand({ DNSName: zone }),
      );
      const found = HostedZones.find((z) => z.Name === `${zone}.` && !z.Config?.PrivateZone);
      if (!found?.Id) return undefined;
      const zoneId = found.Id.replace('/hostedzone/', '');
      const sets = await c.send(
        new r53.ListResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          StartRecordName: record,
          StartRecordType: 'A',
        }),
      );
      const records = (sets.ResourceRecordSets ?? [])
        .filter((s) => s.Name === `${record}.` && s.Type === 'A' && s.Failover && s.AliasTarget)
        .map((s) => ({
          setIdentifier: s.SetIdentifier ?? '',
          failover: s.Failover as 'PRIMARY' | 'SECONDARY',
          aliasTarget: {
            dnsName: s.AliasTarget?.DNSName ?? '',
            hostedZoneId: s.AliasTarget?.HostedZoneId ?? '',
            evaluateTargetHealth: s.AliasTarget?.EvaluateTargetHealth ?? false,
          },
        }));
      return { zoneId, records };
    },
    async upsert(zoneId, record, records, comment) {
      const { r53, client: c } = await client();
      const out = await c.send(
        new r53.ChangeResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          ChangeBatch: {
            Comment: comment.slice(0, 256),
            Changes: records.map((r) => ({
              Action: 'UPSERT',
              ResourceRecordSet: {
                Name: `${record}.`,
                Type: 'A',
                SetIdentifier: r.setIdentifier,
                Failover: r.failover,
                AliasTarget: {
                  DNSName: r.aliasTarget.dnsName,
                  HostedZoneId: r.aliasTarget.hostedZoneId,
                  EvaluateTargetHealth: r.aliasTarget.evaluateTargetHealth,
                },
              },
            })),
          },
        }),
      );
      return (out.ChangeInfo?.Id ?? '').replace('/change/', '');
    },
    async changeStatus(changeId) {
      const { r53, client: c } = await client();
      const out = await c.send(new r53.GetChangeCommand({ Id: changeId }));
      return out.ChangeInfo?.Status ?? 'UNKNOWN';
    },
  };
};
