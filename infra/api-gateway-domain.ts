/**
 * The region of an API Gateway regional domain — a Route53 alias target such as
 * `d-….execute-api.<region>.amazonaws.com` (trailing dot or not) — or undefined when the
 * name is not one. Read by the CLI's failover plan and the sandbox's API fronts alike.
 */
export const regionOfApiTarget = (dnsName: string): string | undefined =>
  /\.execute-api\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com\.?$/.exec(dnsName)?.[1];
