import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { stateApi } from '../../cli/aws/state-api.js';
import { sandboxTarget } from '../../cli/aws/target.js';
import { AbortRequestWatch, requestAbort } from '../../cli/canary/abort-request.js';
import { ENVIRONMENTS } from '../../infra/environments.js';

const ddb = mockClient(DynamoDBDocumentClient);
const state = () =>
  stateApi(sandboxTarget(ENVIRONMENTS.prod, 'http://127.0.0.1:1', 'http://127.0.0.1:2', undefined));
const REQUEST = {
  runId: '20261201T100000Z-abcd',
  by: 'tebogo',
  via: 'promote watch',
  at: '2026-12-01T10:05:00.000Z',
  reason: 'customer complaints',
} as const;

afterEach(() => {
  ddb.reset();
});

describe('abort requests in the state table', () => {
  it('records the first request only (conditional put), keyed by run', async () => {
    // Prepare
    ddb
      .on(PutCommand)
      .resolvesOnce({})
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));

    // Act
    const first = await requestAbort(state(), REQUEST);
    const second = await requestAbort(state(), REQUEST);

    // Assess
    expect([first, second]).toEqual([true, false]);
    const put = ddb.commandCalls(PutCommand)[0]?.args[0].input;
    expect(put?.Item).toMatchObject({ pk: 'abort', sk: REQUEST.runId, by: 'tebogo' });
    expect(put?.ConditionExpression).toBe('attribute_not_exists(pk)');
  });

  it('a watch wakes its signal once the request appears, and skips failed reads', async () => {
    // Prepare: nothing, then a throttled read, then the request
    ddb
      .on(GetCommand)
      .resolvesOnce({})
      .rejectsOnce(new Error('ProvisionedThroughputExceededException'))
      .resolves({ Item: { pk: 'abort', sk: REQUEST.runId, ...REQUEST } });
    const watch = new AbortRequestWatch(state(), REQUEST.runId, 60_000);

    // Act
    const reads = [await watch.poll(), await watch.poll(), await watch.poll()];

    // Assess
    expect(reads[0]).toBeUndefined();
    expect(reads[1]).toBeUndefined();
    expect(reads[2]).toMatchObject({ by: 'tebogo', reason: 'customer complaints' });
    expect(watch.signal.aborted).toBe(true);
    const get = ddb.commandCalls(GetCommand)[0]?.args[0].input;
    expect(get?.Key).toEqual({ pk: 'abort', sk: REQUEST.runId });
  });
});
