import { describe, expect, it } from 'vitest';
import { PromoteError } from '../../cli/errors.js';
import { describeReview, refusal, reviewPlan } from '../../cli/terraform/plan-guard.js';
import { BUCKET, ORDERS, planDocument } from '../support/terraform-plans.js';

/** The guard on `terraform show -json`: what a reviewer must see, what stops the run. */

describe('reviewPlan', () => {
  it.each([
    [
      'no-op',
      [{ address: ORDERS, type: 'aws_dynamodb_table', actions: ['no-op'] }],
      { create: 0, update: 0, replace: 0, delete: 0 },
      0,
    ],
    [
      'create only (a fresh account)',
      [
        { address: ORDERS, type: 'aws_dynamodb_table', actions: ['create'] },
        { address: BUCKET, type: 'aws_s3_bucket', actions: ['create'] },
      ],
      { create: 2, update: 0, replace: 0, delete: 0 },
      0,
    ],
    [
      'an in-place update',
      [
        {
          address: 'module.function.aws_lambda_function.this',
          type: 'aws_lambda_function',
          actions: ['update'],
        },
      ],
      { create: 0, update: 1, replace: 0, delete: 0 },
      0,
    ],
    [
      'a replace of the table (delete before create)',
      [
        {
          address: ORDERS,
          type: 'aws_dynamodb_table',
          actions: ['delete', 'create'],
          reason: 'replace_because_cannot_update',
        },
      ],
      { create: 0, update: 0, replace: 1, delete: 0 },
      1,
    ],
    [
      'a create-before-destroy replace of the table',
      [
        {
          address: ORDERS,
          type: 'aws_dynamodb_table',
          actions: ['create', 'delete'],
          reason: 'replace_because_cannot_update',
        },
      ],
      { create: 0, update: 0, replace: 1, delete: 0 },
      1,
    ],
    [
      'a delete of the bucket',
      [
        {
          address: BUCKET,
          type: 'aws_s3_bucket',
          actions: ['delete'],
          reason: 'delete_because_no_resource_config',
        },
      ],
      { create: 0, update: 0, replace: 0, delete: 1 },
      1,
    ],
    [
      'a tainted table',
      [
        {
          address: ORDERS,
          type: 'aws_dynamodb_table',
          actions: ['delete', 'create'],
          reason: 'replace_because_tainted',
        },
      ],
      { create: 0, update: 0, replace: 1, delete: 0 },
      1,
    ],
    [
      'a replaced function (not stateful: allowed)',
      [
        {
          address: 'module.function.aws_lambda_function.this',
          type: 'aws_lambda_function',
          actions: ['delete', 'create'],
        },
      ],
      { create: 0, update: 0, replace: 1, delete: 0 },
      0,
    ],
  ])('%s', (_name, changes, counts, refused) => {
    // Act
    const review = reviewPlan(planDocument(changes));

    // Assess
    expect(review.counts).toEqual(counts);
    expect(review.refused).toHaveLength(refused);
  });

  it('ignores data-source reads and resource_drift: they are not planned changes', () => {
    // Prepare
    const doc = planDocument(
      [
        {
          address: 'data.aws_caller_identity.current',
          type: 'aws_caller_identity',
          actions: ['read'],
          mode: 'data',
        },
      ],
      { drift: [{ address: BUCKET, type: 'aws_s3_bucket', actions: ['delete'] }] },
    );

    // Act
    const review = reviewPlan(doc);

    // Assess
    expect(review.changes).toEqual([]);
    expect(review.refused).toEqual([]);
  });

  it('names each destroy it refuses, with the flag that would allow it', () => {
    // Prepare
    const review = reviewPlan(
      planDocument([
        {
          address: ORDERS,
          type: 'aws_dynamodb_table',
          actions: ['delete', 'create'],
          reason: 'replace_because_cannot_update',
        },
        { address: BUCKET, type: 'aws_s3_bucket', actions: ['delete'] },
      ]),
    );

    // Act
    const error = refusal(review);

    // Assess
    expect(error).toBeInstanceOf(PromoteError);
    expect(error?.code).toBe('TERRAFORM_PLAN_DESTROYS');
    expect(error?.exitCode).toBe(3);
    expect(error?.message).toContain(`replace ${ORDERS} (replace_because_cannot_update)`);
    expect(error?.hint).toContain(`--allow-destroy ${ORDERS} --allow-destroy ${BUCKET} --reason`);
  });

  it('lets through a destroy named with --allow-destroy, keeping the reason', () => {
    // Act
    const review = reviewPlan(
      planDocument([{ address: BUCKET, type: 'aws_s3_bucket', actions: ['delete'] }]),
      [{ address: BUCKET, reason: 'CHG-123: bucket moved to the data account' }],
    );

    // Assess
    expect(review.refused).toEqual([]);
    expect(review.allowed).toEqual([
      expect.objectContaining({
        address: BUCKET,
        allowedBecause: 'CHG-123: bucket moved to the data account',
      }),
    ]);
    expect(refusal(review)).toBeUndefined();
  });

  it("flags the plan's CRITICAL review items: EventBridge, DLQ settings, replication", () => {
    // Act
    const review = reviewPlan(
      planDocument([
        {
          address: 'module.events.aws_cloudwatch_event_rule.orders',
          type: 'aws_cloudwatch_event_rule',
          actions: ['update'],
        },
        {
          address: 'module.events.aws_cloudwatch_event_target.function',
          type: 'aws_cloudwatch_event_target',
          actions: ['update'],
        },
        { address: 'module.events.aws_sqs_queue.dlq', type: 'aws_sqs_queue', actions: ['update'] },
        {
          address: ORDERS,
          type: 'aws_dynamodb_table',
          actions: ['update'],
          before: { replica: [] },
          after: { replica: [{ region_name: 'eu-west-1' }] },
        },
        {
          address: 'module.function.aws_lambda_function.this',
          type: 'aws_lambda_function',
          actions: ['update'],
        },
      ]),
    );

    // Assess
    expect(review.critical.map((c) => c.why)).toEqual([
      'EventBridge rule',
      'EventBridge target',
      'DLQ settings',
      'replication',
    ]);
  });

  it('refuses a format_version whose major is not 1', () => {
    // Act / Assess
    expect(() => reviewPlan(planDocument([], { formatVersion: '2.0' }))).toThrow(
      /format_version "2.0"/,
    );
    expect(() => reviewPlan({})).toThrow(PromoteError);
  });

  it('never copies a value out of the plan (saved plans can hold secrets)', () => {
    // Prepare
    const secret = 'pagination-secret-0123456789abcdef';
    const review = reviewPlan(
      planDocument([
        {
          address: 'random_password.pagination',
          type: 'random_password',
          actions: ['create'],
          after: { result: secret },
          afterSensitive: { result: true },
        },
      ]),
    );

    // Act
    const text = JSON.stringify(review) + describeReview(review).join('\n');

    // Assess
    expect(text).not.toContain(secret);
    expect(text).toContain('random_password.pagination');
  });

  it('describes the plan as a reviewer reads it', () => {
    // Act
    const lines = describeReview(
      reviewPlan(
        planDocument([
          {
            address: ORDERS,
            type: 'aws_dynamodb_table',
            actions: ['delete', 'create'],
            reason: 'replace_because_tainted',
          },
          {
            address: 'module.api.aws_api_gateway_stage.v1',
            type: 'aws_api_gateway_stage',
            actions: ['create'],
          },
        ]),
      ),
    );

    // Assess
    expect(lines).toEqual([
      'plan: 1 to create, 0 to update, 1 to replace, 0 to delete',
      '  aws_api_gateway_stage: 1 create',
      '  aws_dynamodb_table: 1 replace',
      `  REPLACE ${ORDERS} (replace_because_tainted)`,
      `  REFUSED: replace of ${ORDERS} (stateful)`,
    ]);
  });
});
