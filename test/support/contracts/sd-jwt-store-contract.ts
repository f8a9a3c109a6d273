import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type SdJwtStore, UNBOUND_HOLDER } from '#shared/ports/certificate-store.ts';

/**
 * The contract of the store of selectively disclosable forms, as cases any implementation must
 * pass: run against the in-memory store (test/support/in-memory-stores.test.ts) and the DynamoDB
 * adapter (test/integration/sd-jwt-store-contract.test.ts).
 */

const CREATED_AT = '2026-11-20T09:00:00.000Z';
const THUMBPRINT = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';

/** Registers the contract's cases; `fresh` gives an empty store for each case. */
export function sdJwtStoreContract(name: string, fresh: () => Promise<SdJwtStore>): void {
  describe(`SD-JWT store contract: ${name}`, () => {
    it('stores a form once and answers with the first writer\'s bytes ever after', async () => {
      const store = await fresh();
      const id = randomUUID();
      await expect(store.getSdJwt(id, UNBOUND_HOLDER)).resolves.toBeNull();
      await expect(store.putSdJwtOnce(id, UNBOUND_HOLDER, 'first~a~', CREATED_AT)).resolves.toEqual({ created: true, sdJwt: 'first~a~' });
      await expect(store.putSdJwtOnce(id, UNBOUND_HOLDER, 'second~b~', CREATED_AT)).resolves.toEqual({ created: false, sdJwt: 'first~a~' });
      await expect(store.getSdJwt(id, UNBOUND_HOLDER)).resolves.toBe('first~a~');
    });

    it('keeps one form per holder key, apart from the unbound one and from other certificates', async () => {
      const store = await fresh();
      const id = randomUUID();
      await store.putSdJwtOnce(id, UNBOUND_HOLDER, 'unbound~', CREATED_AT);
      await expect(store.putSdJwtOnce(id, THUMBPRINT, 'bound~', CREATED_AT)).resolves.toEqual({ created: true, sdJwt: 'bound~' });
      await expect(store.getSdJwt(id, THUMBPRINT)).resolves.toBe('bound~');
      await expect(store.getSdJwt(id, UNBOUND_HOLDER)).resolves.toBe('unbound~');
      await expect(store.getSdJwt(randomUUID(), UNBOUND_HOLDER)).resolves.toBeNull();
    });

    it('lets exactly one of many concurrent writers store its form, and tells every one of them that form', async () => {
      const store = await fresh();
      const id = randomUUID();
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.putSdJwtOnce(id, UNBOUND_HOLDER, `form-${i}~`, CREATED_AT)));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      const winner = results.find((r) => r.created)!.sdJwt;
      expect(new Set(results.map((r) => r.sdJwt))).toEqual(new Set([winner]));
      await expect(store.getSdJwt(id, UNBOUND_HOLDER)).resolves.toBe(winner);
    });
  });
}
