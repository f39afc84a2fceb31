/**
 * Reads the credential scope of a SigV4-signed request: which access key, region and
 * service. The sandbox routes on the service name exactly as AWS's front door does, so one
 * endpoint (like LocalStack's :4566) serves every SDK client and the aws CLI.
 * Signatures are not verified: the sandbox holds no secrets worth protecting, and callers
 * are identified by access key alone.
 */
export interface CredentialScope {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
}

const SCOPE = /Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request/;

/** From the `Authorization` header, or from `X-Amz-Credential` of a presigned URL. */
export const credentialScope = (
  headers: Readonly<Record<string, string | undefined>>,
  query: URLSearchParams,
): CredentialScope | undefined => {
  const auth = headers.authorization;
  const match = auth ? SCOPE.exec(auth) : undefined;
  if (match) {
    const [, accessKeyId, date, region, service] = match;
    if (accessKeyId && date && region && service) return { accessKeyId, date, region, service };
  }
  const presigned = query.get('X-Amz-Credential')?.split('/');
  if (presigned && presigned.length === 5) {
    const [accessKeyId, date, region, service] = presigned;
    if (accessKeyId && date && region && service) return { accessKeyId, date, region, service };
  }
  return undefined;
};
