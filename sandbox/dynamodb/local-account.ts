import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * DynamoDB Local keeps one database per access key + region (without -sharedDb). The sandbox
 * signs every forwarded call with one key per account, so each environment account gets its
 * own tables and a sit credential can never see prod's table.
 */
export const localAccessKey = (account: string): string => `acct${account}`;

/** An SDK client straight to DynamoDB Local inside one account and region. */
export const localDynamoClient = (endpoint: string, account: string, region: string) =>
  new DynamoDBClient({
    endpoint,
    region,
    credentials: { accessKeyId: localAccessKey(account), secretAccessKey: 'sandbox' },
    maxAttempts: 2,
  });

/** DynamoDB Local answers with its own fake region/account in ARNs; show the caller's. */
export const rewriteArns = (text: string, account: string, region: string): string =>
  text.replace(
    /arn:aws:dynamodb:ddblocal:000000000000:/g,
    `arn:aws:dynamodb:${region}:${account}:`,
  );
