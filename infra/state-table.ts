import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The small per-environment table where `promote` keeps its lock and run journals, so that
 * CI runners and laptops share them. Terraform creates the same table.
 */
export const stateTableName = (env: string): string => `promote-state-${env}`;

export const stateTableSpec = (env: string): CreateTableCommandInput => ({
  TableName: stateTableName(env),
  BillingMode: 'PAY_PER_REQUEST',
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
  ],
});
