import { describe, expect, it } from 'vitest';
import { TABLE_DEFINITION, createTableInput } from '#shared/adapters/dynamodb/table.ts';

describe('table definition', () => {
  it('creates the table with the generic keys and the sparse outbox index, from the one definition', () => {
    const input = createTableInput('t1');
    expect(input.TableName).toBe('t1');
    expect(input.BillingMode).toBe('PAY_PER_REQUEST');
    expect(input.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(input.AttributeDefinitions.map((a) => a.AttributeName).sort()).toEqual(['outboxPk', 'outboxSk', 'pk', 'sk']);
    expect(input.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'outbox',
        KeySchema: [
          { AttributeName: 'outboxPk', KeyType: 'HASH' },
          { AttributeName: 'outboxSk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ]);
    // Only assertion jti items carry it (the token endpoint's replay store).
    expect(TABLE_DEFINITION.timeToLiveAttribute).toBe('jtiExpiresAt');
  });
});
