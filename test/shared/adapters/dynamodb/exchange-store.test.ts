import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbExchangeStore } from '#shared/adapters/dynamodb/exchange-store.ts';
import { ClientIdTakenError } from '#shared/ports/certificate-store.ts';
import { TABLE, cancelled, ddb, documentClient, onlyTransaction } from './support.ts';

function newStore() {
  return new DynamoDbExchangeStore({ client: documentClient, tableName: TABLE });
}

beforeEach(() => {
  ddb.reset();
});
afterEach(() => {
  ddb.reset();
});

describe('exchanges', () => {
  const exchange = { id: 'sde', name: 'Shanghai Data Exchange', clientIds: ['c1', 'c2'], status: 'active' as const };

  it('registers an exchange and one item per client id in one transaction', async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(TransactWriteCommand).resolves({});
    await newStore().putExchange(exchange);
    const items = onlyTransaction().TransactItems ?? [];
    expect(items.map((i) => i.Put?.Item?.['pk'] ?? i.Update?.Key?.['pk'])).toEqual(['EXCHANGE#sde', 'CLIENT#c1', 'CLIENT#c2']);
    expect(items[0]?.Put).toMatchObject({ ConditionExpression: 'attribute_not_exists(#pk)', Item: { revision: 1, ...exchange } });
    // An update of the binding only, so that a client's registered keys stay in place; never over another exchange's or role's client.
    expect(items[1]?.Update).toMatchObject({
      ConditionExpression:
        '(attribute_not_exists(#pk) OR #exchangeId = :exchangeId) AND (attribute_not_exists(#registration.#role) OR #registration.#role = :exchangeRole)',
      ExpressionAttributeValues: { ':exchangeId': 'sde', ':exchange': exchange, ':clientId': 'c1' },
    });
    expect(items[1]?.Update?.UpdateExpression).not.toContain('registration');
  });

  it('updates under the revision it read and removes the client ids it lost', async () => {
    ddb.on(GetCommand).resolves({ Item: { pk: 'EXCHANGE#sde', sk: 'EXCHANGE', ...exchange, revision: 4 } });
    ddb.on(TransactWriteCommand).resolves({});
    await newStore().putExchange({ ...exchange, clientIds: ['c2', 'c3'] });
    const items = onlyTransaction().TransactItems ?? [];
    expect(items[0]?.Put).toMatchObject({ ConditionExpression: '#revision = :seen', ExpressionAttributeValues: { ':seen': 4 }, Item: { revision: 5 } });
    expect(items.slice(1, 3).map((i) => i.Update?.Key?.['pk'])).toEqual(['CLIENT#c2', 'CLIENT#c3']);
    expect(items[3]?.Delete).toMatchObject({ Key: { pk: 'CLIENT#c1', sk: 'CLIENT' }, ConditionExpression: '#exchangeId = :exchangeId' });
  });

  it('writes nothing when the exchange is already registered as given', async () => {
    ddb.on(GetCommand).resolves({ Item: { ...exchange, clientIds: ['c1', 'c2'], revision: 2 } });
    await newStore().putExchange({ ...exchange, clientIds: ['c1', 'c2', 'c1'] });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('refuses a client id that acts for another exchange', async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(TransactWriteCommand).rejects(
      cancelled([{ Code: 'None' }, { Code: 'None' }, { Code: 'ConditionalCheckFailed', Item: { exchangeId: 'zde' } }]),
    );
    const error = await newStore().putExchange(exchange).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientIdTakenError);
    expect(error).toMatchObject({ clientId: 'c2', exchangeId: 'zde' });
  });

  it('finds the exchange of a client id in one consistent read', async () => {
    ddb.on(GetCommand).resolves({ Item: { pk: 'CLIENT#c1', sk: 'CLIENT', clientId: 'c1', exchangeId: 'sde', exchange } });
    await expect(newStore().findExchangeByClientId('c1')).resolves.toEqual(exchange);
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: 'CLIENT#c1', sk: 'CLIENT' },
      ConsistentRead: true,
    });
  });
});
