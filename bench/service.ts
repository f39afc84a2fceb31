/**
 * `npm run bench:service` — what the service adds on top of DynamoDB itself.
 *
 * In one run against the same DynamoDB Local (and moto for EventBridge): p95 of a raw SDK
 * GetItem / PutItem, and p95 of the router serving GET /orders/{id} and POST /orders
 * (parse, zod, authz, conditional write, event publication, logging, EMF). Printed as
 * ratios, which survive a slower or faster machine better than absolute milliseconds.
 * Not a test: nothing here passes or fails.
 */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { startDynamoDbLocal, startMoto } from '../sandbox/engines/local-engines.js';
import {
  idempotencyTableName,
  idempotencyTableSpec,
  ordersTableSpec,
} from '../service/adapters/table-schema.js';
import type { HttpResponse } from '../service/http/problem.js';
import { createRouter } from '../service/router.js';
import { createDeps } from '../service/wiring.js';
import { summary } from './stats.js';

const N = Number(process.env.BENCH_N ?? 1000);
const WARMUP = 100;
const region = 'eu-west-1';
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };

const [dynamo, moto] = await Promise.all([startDynamoDbLocal(), startMoto()]);
try {
  const dynamodb = new DynamoDBClient({ endpoint: dynamo.endpoint, region, credentials });
  const doc = DynamoDBDocumentClient.from(dynamodb);
  const eventbridge = new EventBridgeClient({ endpoint: moto.endpoint, region, credentials });
  const sqs = new SQSClient({ endpoint: moto.endpoint, region, credentials });
  const table = 'orders-bench';
  await dynamodb.send(new CreateTableCommand(ordersTableSpec(table)));
  await dynamodb.send(new CreateTableCommand(idempotencyTableSpec(idempotencyTableName(table))));
  await eventbridge.send(new CreateEventBusCommand({ Name: 'order-events-bench' }));

  const router = createRouter(
    createDeps(
      {
        environment: 'bench',
        tableName: table,
        idempotencyTableName: idempotencyTableName(table),
        eventBusName: 'order-events-bench',
        dlqUrl: undefined,
        version: 'bench',
        paginationSecret: 'bench-pagination-secret-012345',
        serviceName: 'order-service',
      },
      { dynamodb, eventbridge, sqs },
    ),
  );
  const claims = { sub: 'sub-bench', 'custom:customer_id': 'cust_bench' };
  const body = JSON.stringify({
    items: [{ product_id: 'prod_001', quantity: 2, price: 29.99 }],
    total: 59.98,
    currency: 'USD',
  });
  const call = async (httpMethod: string, path: string, withBody?: string) =>
    (await router({
      httpMethod,
      path,
      headers: {},
      body: withBody ?? null,
      requestContext: { requestId: randomUUID(), authorizer: { claims } },
    })) as HttpResponse;

  // The handlers log one JSON line per request, as in Lambda; keep it out of the report.
  const write = process.stdout.write.bind(process.stdout);
  const log = console.log;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  console.log = () => {};

  const sample = JSON.parse((await call('POST', '/v1.0/orders', body)).body);
  // Interleaved: each iteration times all four operations back to back, so JVM warm-up,
  // table growth and background load fall on every column alike.
  const ops: Record<string, (i: number) => Promise<unknown>> = {
    'raw GetItem': () =>
      doc.send(
        new GetCommand({
          TableName: table,
          Key: { order_id: sample.order_id },
          ConsistentRead: true,
        }),
      ),
    'raw PutItem': (i) =>
      doc.send(new PutCommand({ TableName: table, Item: { ...sample, order_id: `raw_${i}` } })),
    'GET /orders/{id}': () => call('GET', `/v1.0/orders/${sample.order_id}`),
    'POST /orders (+PutEvents)': () => call('POST', '/v1.0/orders', body),
  };
  const samples: Record<string, number[]> = Object.fromEntries(
    Object.keys(ops).map((k) => [k, []]),
  );
  for (let i = -WARMUP; i < N; i += 1) {
    for (const [name, op] of Object.entries(ops)) {
      const start = performance.now();
      await op(i);
      if (i >= 0) samples[name]?.push(performance.now() - start);
    }
  }

  process.stdout.write = write;
  console.log = log;

  const rows = Object.fromEntries(
    Object.entries(samples).map(([name, values]) => [name, summary(values)]),
  );
  const fmt = (ms: number) => ms.toFixed(2).padStart(8);
  console.log(`bench/service — ${N} interleaved rounds after ${WARMUP} warm-up rounds, one run\n`);
  console.log(`${'operation'.padEnd(28)}     p50      p95      p99  (ms)`);
  for (const [name, s] of Object.entries(rows)) {
    console.log(`${name.padEnd(28)}${fmt(s.p50)} ${fmt(s.p95)} ${fmt(s.p99)}`);
  }
  const p95 = (name: string) => rows[name]?.p95 ?? Number.NaN;
  const ratio = (a: string, b: string) => (p95(a) / p95(b)).toFixed(2);
  console.log(
    `\nratio p95 GET handler / raw GetItem:    ${ratio('GET /orders/{id}', 'raw GetItem')}`,
  );
  console.log(
    `ratio p95 create handler / raw PutItem: ${ratio('POST /orders (+PutEvents)', 'raw PutItem')}`,
  );
} finally {
  await Promise.all([dynamo.stop(), moto.stop()]);
}
