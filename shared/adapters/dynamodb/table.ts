/**
 * # The certificate table
 *
 * One DynamoDB table, on-demand, generic key `pk` (S) / `sk` (S). Every access is a GetItem, a
 * Query of one partition, a TransactWriteItems or (the status list counter and list heads) an
 * UpdateItem; nothing scans.
 *
 * | item | pk | sk | what it holds |
 * |---|---|---|---|
 * | certificate | `CERT#<id>` | `CERT` | the whole `StoredCertificate` |
 * | transaction key | `TXN#<exchangeId>#<transactionRef>` | `TXN` | a full copy of the certificate (with `requestHash`) |
 * | certificate number | `CERTNO#<certificateNo>` | `CERTNO` | `certificateId`: keeps numbers unique, finds a certificate by number |
 * | audit event | `CERT#<id>` | `EVENT#<at>#<type>` | one change, self-contained (the transparency log's outbox) |
 * | selectively disclosable form | `CERT#<id>` | `SDJWT#<holder>` | `sdJwt`: the SD-JWT issued on request for one holder key (thumbprint) or `unbound`; written once (`sd-jwt-store.ts`) |
 * | status list counter | `STATUSLIST` | `COUNTER` | `next`: the next unreserved global position |
 * | revoked set head | `STATUSLIST#<listId>` | `HEAD` | `version`: +1 per revocation in that list |
 * | revoked set shard | `STATUSLIST#<listId>` | `SHARD#<n>` | `revoked`: Number Set of indexes `n*8192 … n*8192+8191` |
 * | exchange | `EXCHANGE#<id>` | `EXCHANGE` | the registered exchange and its `revision` |
 * | client | `CLIENT#<clientId>` | `CLIENT` | the OAuth client's registration (role, name, public keys, status) and, for an exchange's client, a copy of its exchange |
 * | assertion `jti` | `JTI#<clientId>#<sha256(jti)>` | `JTI` | `jtiExpiresAt`: the one item that expires (TTL) |
 *
 * Why this shape:
 * - **Issuing is one write.** The issue transaction puts the certificate, the transaction key,
 *   the number and the `issued` event, each with `attribute_not_exists(pk)`. The transaction key
 *   is a full copy of the record, and its put asks for `ALL_OLD` on a failed condition, so a
 *   replay or a conflicting request is answered from the cancellation reason itself (same
 *   `requestHash`: replay; different: conflict) with no read before or after.
 * - **Revocation keeps the copy truthful.** Revoke and supersede update the certificate and its
 *   transaction copy in the same transaction, so a replay after a revocation says `revoked`.
 * - **Status positions are reserved in blocks.** One `ADD next :blockSize` hands a container a
 *   block of positions; blocks are aligned to the block size, which divides the list size, so a
 *   block never straddles two lists. Positions of a block lost with its container stay unused
 *   (bit 0, "not revoked"), which is harmless. The first block a container takes in a list also
 *   makes sure that list's head exists, so `revokedIndexes` can tell a list in use (head present)
 *   from one nobody was ever placed in (null, and no signature spent on it).
 * - **Revoked sets are sharded** (8192 indexes per shard, a few tens of KB) so no item nears the
 *   400 KB limit; reading a list is one Query of its partition. The head sorts before the shards
 *   (`HEAD` < `SHARD#`), so a reader sees the version no later than the bits: a cached signed list
 *   is never filed under a version newer than its content.
 * - **Events are the transparency log's outbox.** Each carries what a log entry needs
 *   (certificate id and number, type, time, actor, status list position, SHA-256 of the token),
 *   and a pending event also carries `outboxPk`/`outboxSk`, which places it in the sparse
 *   `outbox` index; the integrator reads that index oldest first and removes the two attributes
 *   once the event is in the log, which takes it out of the index.
 * - **Exchanges** are looked up by OAuth client id in one GetItem: each client item carries a
 *   copy of its exchange, rewritten in the same transaction as the exchange item. The same item
 *   holds the client's registration (its public keys), so the token endpoint also reads one item
 *   per request, and any number of clients is registered without a change of infrastructure.
 * - **Assertion `jti`s expire.** The token endpoint puts the `jti` of each accepted client
 *   assertion with `attribute_not_exists(pk) OR jtiExpiresAt < :now`, so a replay fails its
 *   condition even under concurrency. Such an item is worth keeping only while its assertion
 *   could still be accepted (its `exp` plus the clock skew), and one is written per token, so it
 *   carries `jtiExpiresAt` (epoch seconds), the table's TTL attribute, and DynamoDB deletes it
 *   afterwards at no cost. No other item has that attribute, so nothing else ever expires.
 *
 * Each port has its own adapter on this table, and they share only the item layout
 * (`marshalling.ts`, `log-keys.ts`) and the table client (`table-client.ts`: consistent reads,
 * conditional puts, retry-safe transactions, cancellation reasons):
 * - `certificate-store.ts` writes certificates, transaction keys, numbers and events; revoking
 *   also adds the index to its revoked-set shard and bumps the list head, in the same transaction;
 * - `status-list-store.ts` advances the counter, creates list heads and reads lists;
 * - `exchange-store.ts` writes exchanges and their client items;
 * - `log-store.ts` (its items in `log-keys.ts`) writes the log and takes events off the outbox.
 *
 * Certificates, events and revocations are never deleted: only `jti` items carry the TTL attribute. Transactions here touch at
 * most 9 items (issue with supersede), far from the 100-item and 4 MB limits; no transaction
 * touches an item twice.
 */

/** A key attribute: name and DynamoDB scalar type (`S`), the same values CDK's `AttributeType` uses. */
export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N' | 'B';
}

/** A global secondary index, as plain data. */
export interface GlobalIndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  /** `ALL`, the same value as CDK's `ProjectionType.ALL`. */
  readonly projectionType: 'ALL';
}

/** The table as plain data, read by both the CDK stack and the local `CreateTable`. */
export interface TableDefinition {
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  readonly globalSecondaryIndexes: readonly GlobalIndexDefinition[];
  /** The TTL attribute: only assertion `jti` items carry it; certificates and their trail are kept forever. */
  readonly timeToLiveAttribute: typeof TTL_ATTRIBUTE;
  readonly billingMode: 'PAY_PER_REQUEST';
}

/** The table's TTL attribute (epoch seconds), carried by assertion `jti` items only. */
export const TTL_ATTRIBUTE = 'jtiExpiresAt';

/** Name of the sparse index of audit events not yet in the transparency log. */
export const OUTBOX_INDEX_NAME = 'outbox';

/** Partition value of every pending event in the outbox index (the index is read oldest first). */
export const OUTBOX_PENDING = 'PENDING';

/** The certificate table's definition. */
export const TABLE_DEFINITION: TableDefinition = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalSecondaryIndexes: [
    {
      indexName: OUTBOX_INDEX_NAME,
      partitionKey: { name: 'outboxPk', type: 'S' },
      sortKey: { name: 'outboxSk', type: 'S' },
      projectionType: 'ALL',
    },
  ],
  timeToLiveAttribute: TTL_ATTRIBUTE,
  billingMode: 'PAY_PER_REQUEST',
};

/** Input of a `CreateTable` call for local mode and tests (DynamoDB Local), from the same definition. */
export function createTableInput(tableName: string): {
  TableName: string;
  BillingMode: 'PAY_PER_REQUEST';
  AttributeDefinitions: { AttributeName: string; AttributeType: 'S' | 'N' | 'B' }[];
  KeySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
  GlobalSecondaryIndexes: {
    IndexName: string;
    KeySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
    Projection: { ProjectionType: 'ALL' };
  }[];
} {
  const t = TABLE_DEFINITION;
  const keyAttributes = [
    t.partitionKey,
    t.sortKey,
    ...t.globalSecondaryIndexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ];
  const unique = [...new Map(keyAttributes.map((a) => [a.name, a])).values()];
  return {
    TableName: tableName,
    BillingMode: t.billingMode,
    AttributeDefinitions: unique.map((a) => ({ AttributeName: a.name, AttributeType: a.type })),
    KeySchema: [
      { AttributeName: t.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: t.sortKey.name, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: t.globalSecondaryIndexes.map((i) => ({
      IndexName: i.indexName,
      KeySchema: [
        { AttributeName: i.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: i.sortKey.name, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: i.projectionType },
    })),
  };
}
