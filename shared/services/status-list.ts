import { signJwt } from '../domain/certificate.ts';
import { buildStatusListCredential, encodeStatusList } from '../domain/status-list.ts';
import type { StatusListStore } from '../ports/certificate-store.ts';
import type { CertificateSigner } from '../domain/signer.ts';

export interface StatusListDeps {
  store: Pick<StatusListStore, 'revokedIndexes'>;
  signer: CertificateSigner;
  issuer: string;
  statusListUrl: (listId: string) => string;
  ttlSeconds: number;
}

export interface SignedStatusList {
  jwt: string;
  /** Seconds a downstream cache may keep it: never longer than the list's own `ttl`. */
  maxAgeSeconds: number;
}

interface CachedList {
  version: string;
  jwt: string;
}

/**
 * Serves status list credentials fresh at the origin: every request reads the stored revoked
 * set (one Query), and the signed credential is reused only while that set's version is
 * unchanged, so a revocation committed before the request is always reflected, and a KMS
 * signature is spent only when the list has changed.
 */
export class StatusListPublisher {
  private readonly cache = new Map<string, CachedList>();

  constructor(private readonly deps: StatusListDeps) {}

  /** The signed list, or null when no certificate was ever placed in that list. */
  async get(listId: string, now: Date): Promise<SignedStatusList | null> {
    const stored = await this.deps.store.revokedIndexes(listId);
    if (!stored) return null;
    const maxAgeSeconds = this.deps.ttlSeconds;
    const cached = this.cache.get(listId);
    if (cached && cached.version === stored.version) return { jwt: cached.jwt, maxAgeSeconds };

    const url = this.deps.statusListUrl(listId);
    const payload = buildStatusListCredential({
      id: url,
      issuer: this.deps.issuer,
      validFrom: now.toISOString(),
      ttlMs: this.deps.ttlSeconds * 1000,
      encodedList: encodeStatusList(stored.indexes),
    });
    const jwt = await signJwt(payload, this.deps.signer);
    this.cache.set(listId, { version: stored.version, jwt });
    return { jwt, maxAgeSeconds };
  }
}
