import { describe, expect, it } from 'vitest';
import { certificateIdOf, credentialIdOf, CredentialSchema } from '#shared/domain/schemas/credential.ts';

const ID = '0190d5f2-0000-7000-8000-000000000001';

describe('credential ids', () => {
  it('names a certificate as urn:uuid: + its id, and reads the id back', () => {
    expect(credentialIdOf(ID)).toBe(`urn:uuid:${ID}`);
    expect(certificateIdOf(credentialIdOf(ID))).toBe(ID);
  });

  it('accepts the bare id too, and strips the prefix only at the start', () => {
    expect(certificateIdOf(ID)).toBe(ID);
    expect(certificateIdOf(`x-urn:uuid:${ID}`)).toBe(`x-urn:uuid:${ID}`);
    expect(certificateIdOf(`urn:uuid:urn:uuid:${ID}`)).toBe(`urn:uuid:${ID}`);
  });

  it('builds the spelling the credential schema requires', () => {
    const id = CredentialSchema.shape.id.safeParse(credentialIdOf(ID));
    expect(id.success).toBe(true);
  });
});
