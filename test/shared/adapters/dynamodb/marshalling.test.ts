import { describe, expect, it } from 'vitest';
import {
  certificateItem,
  certificateNoItem,
  clientItem,
  eventItem,
  exchangeItem,
  fromAttributeMap,
  parseCertificate,
  parseCertificateNoItem,
  parseClientItem,
  parseEvent,
  parseExchangeItem,
  parseRegisteredClientItem,
  sortableTime,
  transactionItem,
} from '#shared/adapters/dynamodb/marshalling.ts';
import type { ClientJwks } from '#shared/domain/client-registration.ts';
import type { AuditEvent, Exchange } from '#shared/domain/records.ts';
import { certificate, toAttributeMap } from './support.ts';

describe('marshalling', () => {
  it('orders event times as times, whatever their RFC 3339 spelling', () => {
    const spelled = ['2026-01-01T00:00:00.500Z', '2026-01-01T00:00:00Z', '2026-01-01T08:00:00.250+08:00'];
    const sorted = spelled.map(sortableTime).sort();
    expect(sorted).toEqual(['2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.250Z', '2026-01-01T00:00:00.500Z']);
    expect(() => sortableTime('yesterday')).toThrow(TypeError);
  });

  it('reads raw attribute maps, including number sets and nested maps', () => {
    const raw = toAttributeMap({ a: 'x', n: 12.5, z: null, m: { l: ['y', 1] }, s: new Set([3, 1]) });
    expect(fromAttributeMap(raw)).toEqual({ a: 'x', n: 12.5, z: null, m: { l: ['y', 1] }, s: new Set([1, 3]) });
  });
});

describe('reading items back', () => {
  const exchange: Exchange = { id: 'sde', name: 'Shanghai Data Exchange', clientIds: ['sde'], status: 'active' };
  const jwks: ClientJwks = { keys: [{ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', kid: 'k1', alg: 'EdDSA' }] };
  const registration = { role: 'exchange', name: 'Shanghai Data Exchange', jwks, status: 'active', updatedAt: '2026-11-20T08:00:00Z' } as const;
  const revoked = certificate({
    status: 'revoked',
    revocation: { reason: 'issued-in-error', revokedAt: '2026-11-21T00:00:00Z', comment: null },
    supersededBy: 'urn:uuid:0195f0c2-7a3b-7000-8000-000000000002',
  });
  const event: AuditEvent = {
    certificateId: revoked.id,
    type: 'revoked',
    at: '2026-11-21T00:00:00Z',
    actor: 'admin',
    detail: { reason: 'issued-in-error', comment: null },
    certificateNo: revoked.certificateNo,
    statusListId: '0',
    statusListIndex: 9000,
    tokenSha256: 'b'.repeat(64),
  };

  it('gives back what was written, without the item keys', () => {
    for (const c of [certificate(), revoked]) {
      expect(parseCertificate(certificateItem(c))).toStrictEqual(c);
      expect(parseCertificate(transactionItem(c))).toStrictEqual(c);
      expect(parseCertificateNoItem(certificateNoItem(c))).toBe(c.id);
    }
    expect(parseEvent(eventItem(event))).toStrictEqual(event);
    expect(parseExchangeItem(exchangeItem(exchange, 3))).toStrictEqual({ exchange, revision: 3 });
    expect(parseClientItem(clientItem('sde', exchange))).toStrictEqual(exchange);
    expect(parseClientItem({ pk: 'CLIENT#audit.cn', sk: 'CLIENT', kind: 'client', clientId: 'audit.cn' })).toBeNull();
  });

  it('reads a registration, and none from a client item without one or without its exchange', () => {
    const item = { ...clientItem('sde', exchange), registration };
    expect(parseRegisteredClientItem(item)).toStrictEqual({ clientId: 'sde', ...registration, exchange });
    expect(parseRegisteredClientItem(clientItem('sde', exchange))).toBeNull();
    expect(parseRegisteredClientItem({ kind: 'client', clientId: 'sde', registration })).toBeNull();
    const auditor = { kind: 'client', clientId: 'audit.cn', registration: { ...registration, role: 'auditor' } };
    expect(parseRegisteredClientItem(auditor)).toStrictEqual({ clientId: 'audit.cn', ...registration, role: 'auditor', exchange: null });
  });

  const corrupt: [string, () => unknown, RegExp][] = [
    ['a negative index', () => parseCertificate({ ...certificateItem(certificate()), statusList: { listId: '0', index: -1 } }), /certificate\.statusList\.index must be a non-negative integer, not -1$/],
    ['a fractional index', () => parseCertificate({ ...certificateItem(certificate()), statusList: { listId: '0', index: 1.5 } }), /certificate\.statusList\.index must be a non-negative integer/],
    ['an index as text', () => parseCertificate({ ...certificateItem(certificate()), statusList: { listId: '0', index: '7' } }), /certificate\.statusList\.index must be a non-negative integer, not "7"$/],
    ['an unknown status', () => parseCertificate({ ...certificateItem(certificate()), status: 'expired' }), /certificate\.status must be one of "active", "revoked", not "expired"$/],
    ['a missing revocation', () => parseCertificate({ ...certificateItem(certificate()), revocation: undefined }), /certificate\.revocation must be an object, not missing$/],
    ['an unknown reason', () => parseCertificate(certificateItem({ ...revoked, revocation: { reason: 'whim' as 'unspecified', revokedAt: 'x', comment: null } })), /certificate\.revocation\.reason must be one of "unspecified",/],
    ['a missing token', () => parseCertificate({ ...certificateItem(certificate()), token: undefined }), /certificate\.token must be a string, not missing$/],
    ['an event detail as a set', () => parseEvent({ ...eventItem(event), detail: new Set(['x']) }), /event\.detail must be a map, not a set$/],
    ['an event detail member as a number', () => parseEvent({ ...eventItem(event), detail: { reason: 3 } }), /event\.detail\.reason must be a string, not 3$/],
    ['an unknown event type', () => parseEvent({ ...eventItem(event), type: 'deleted' }), /event\.type must be one of "issued", "revoked", "superseded"/],
    ['client ids as a set', () => parseExchangeItem({ ...exchangeItem(exchange, 1), clientIds: new Set(['sde']) }), /exchange\.clientIds must be a list, not a set$/],
    ['a client id as a number', () => parseExchangeItem({ ...exchangeItem(exchange, 1), clientIds: ['sde', 4] }), /exchange\.clientIds\[1\] must be a string, not 4$/],
    ['a missing revision', () => parseExchangeItem({ ...exchangeItem(exchange, 1), revision: undefined }), /exchange\.revision must be a non-negative integer, not missing$/],
    ['a damaged exchange copy', () => parseClientItem({ ...clientItem('sde', exchange), exchange: 'sde' }), /client\.exchange must be an object, not "sde"$/],
    ['another kind of item', () => parseCertificateNoItem({ kind: 'certificate', certificateId: 'x' }), /certificate-number\.kind must be one of "certificate-number", not "certificate"$/],
    ['an unknown role', () => parseRegisteredClientItem({ ...clientItem('sde', exchange), registration: { ...registration, role: 'root' } }), /client\.registration\.role must be one of/],
    [
      'a stored private key',
      () => parseRegisteredClientItem({ ...clientItem('sde', exchange), registration: { ...registration, jwks: { keys: [{ ...jwks.keys[0], d: 'secret' }] } } }),
      /client\.registration\.jwks must be a registered key set, not a value of type object$/,
    ],
  ];

  it.each(corrupt)('refuses %s, naming the attribute', (_what, read, message) => {
    expect(read).toThrow(TypeError);
    expect(read).toThrow(message);
  });
});
