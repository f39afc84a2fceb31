import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import yauzl from 'yauzl';
import { buildArtifact } from '../../scripts/build.js';
import { idempotencyTableSpec, ordersTableSpec } from '../../service/adapters/table-schema.js';

const run = promisify(execFile);

/** Reads every entry of a zip into memory. */
const unzip = (path: string): Promise<Map<string, Buffer>> =>
  new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (error, archive) => {
      if (error || !archive) return reject(error);
      const files = new Map<string, Buffer>();
      archive.on('entry', (entry: yauzl.Entry) => {
        archive.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            files.set(entry.fileName, Buffer.concat(chunks));
            archive.readEntry();
          });
        });
      });
      archive.on('end', () => resolve(files));
      archive.readEntry();
    });
  });

describe('npm run build: the Lambda artifact', () => {
  let first: Awaited<ReturnType<typeof buildArtifact>>;

  beforeAll(async () => {
    first = await buildArtifact();
  });

  it('is deterministic: building twice yields the same SHA-256', async () => {
    // Act
    const second = await buildArtifact();
    // Assess
    expect(second.sha256).toBe(first.sha256);
    expect(second.codeSha256).toBe(Buffer.from(first.sha256, 'hex').toString('base64'));
  });

  it('holds one ESM entry, index.mjs, with fixed timestamps', async () => {
    const files = await unzip(first.path);
    expect([...files.keys()]).toEqual(['index.mjs']);
    expect(first.bytes).toBe((await readFile(first.path)).length);
  });

  it('serves health and create from the unpacked bundle, as Lambda would load it', async () => {
    // Prepare: tables in DynamoDB Local and the bundle unpacked in a temp dir.
    const endpoint = inject('dynamoEndpoint');
    const dynamodb = new DynamoDBClient({ endpoint });
    const table = `orders-bundle-${Date.now()}`;
    await dynamodb.send(new CreateTableCommand(ordersTableSpec(table)));
    await dynamodb.send(new CreateTableCommand(idempotencyTableSpec(`${table}-idempotency`)));
    const dir = await mkdtemp(join(tmpdir(), 'order-bundle-'));
    const files = await unzip(first.path);
    await writeFile(join(dir, 'index.mjs'), files.get('index.mjs') ?? '');
    const script = `
      const { handler } = await import(${JSON.stringify(join(dir, 'index.mjs'))});
      const claims = { sub: 'sub-1', 'custom:customer_id': 'cust_test_001' };
      const health = await handler({ httpMethod: 'GET', path: '/v1.0/orders/health', headers: {}, requestContext: { requestId: 'r1' } });
      const created = await handler({ httpMethod: 'POST', path: '/v1.0/orders', headers: {},
        body: JSON.stringify({ items: [{ product_id: 'prod_001', quantity: 2, price: 29.99 }], total: 59.98, currency: 'USD' }),
        requestContext: { requestId: 'r2', authorizer: { claims } } });
      process.stdout.write('RESULT ' + JSON.stringify({ health, created }) + '\\n');
    `;
    // Act: a plain node process with only the function's environment.
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_ENDPOINT_URL_DYNAMODB: endpoint,
        TABLE_NAME: table,
        ENVIRONMENT: 'test',
        SERVICE_VERSION: 'bundle-check',
        // Events go nowhere reachable: the order must still be saved (publication is parked).
        AWS_ENDPOINT_URL_EVENTBRIDGE: 'http://127.0.0.1:9',
      },
    });
    // Assess
    const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
    const result = JSON.parse(line?.slice(7) ?? '{}');
    expect(result.health.statusCode).toBe(200);
    expect(JSON.parse(result.health.body)).toMatchObject({
      version: 'bundle-check',
      dynamodb: 'reachable',
    });
    expect(result.created.statusCode).toBe(201);
    expect(JSON.parse(result.created.body)).toMatchObject({
      customer_id: 'cust_test_001',
      total: 59.98,
    });
  });
});
