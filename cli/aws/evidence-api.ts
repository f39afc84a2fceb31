import type { AwsTarget } from './target.js';

/**
 * The env's evidence bucket (`promote-evidence-<env>-<account>`, versioned): run reports and
 * checklist evidence outlive the laptop or CI runner that wrote them.
 */
export interface EvidenceApi {
  readonly bucket: string;
  /** Stores one object; resolves to its S3 URI and version. */
  put(key: string, body: string, contentType: string): Promise<{ uri: string; versionId?: string }>;
}

export const evidenceApi = (target: AwsTarget): EvidenceApi => {
  const bucket = target.env.evidenceBucket;
  return {
    bucket,
    async put(key, body, contentType) {
      const { S3Client, PutObjectCommand } = await import('@aws-sdk/client-s3');
      const client = new S3Client({ ...target.clientConfig, forcePathStyle: target.sandbox });
      const out = await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
          ServerSideEncryption: 'AES256',
        }),
      );
      return {
        uri: `s3://${bucket}/${key}`,
        ...(out.VersionId ? { versionId: out.VersionId } : {}),
      };
    },
  };
};
