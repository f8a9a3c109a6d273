import { compactVerify, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { parseJsonStrict } from '#shared/crypto/strict-json.ts';
import { decodeBase64urlStrict, encodeBase64url } from '#shared/crypto/portable-bytes.ts';
import {
  SdJwtError,
  decodeDisclosure,
  joinSdJwt,
  objectDisclosure,
  processDisclosures,
  splitSdJwt,
} from '#shared/domain/sd-jwt/sd-jwt.ts';
import { RFC9901_DISCLOSURES, RFC9901_ISSUER_JWK, RFC9901_ISSUER_JWT, RFC9901_MOBIUS } from '../../../fixtures/rfc9901/example.ts';

/**
 * The RFC 9901 mechanics against the RFC's own examples, and the strict refusals that go beyond
 * what the RFC's examples show.
 */

const payloadOf = (jwt: string) => parseJsonStrict(decodeBase64urlStrict(jwt.split('.')[1]!), 'payload') as Record<string, unknown>;
const decodeAll = (encoded: readonly string[]) => Promise.all(encoded.map(decodeDisclosure));
const refusal = async (run: () => unknown) => {
  try {
    await run();
  } catch (error) {
    if (error instanceof SdJwtError) return error.message;
    throw error;
  }
  throw new Error('not refused');
};

describe('RFC 9901 examples', () => {
  it('digests the RFC\'s "Möbius" disclosure to the RFC\'s digest, decoding it to salt, name and value', async () => {
    await expect(decodeDisclosure(RFC9901_MOBIUS.encoded)).resolves.toMatchObject({
      digest: RFC9901_MOBIUS.digest,
      salt: '_26bc4LT-ac6q2KI6cBW5es',
      name: 'family_name',
      value: 'Möbius',
    });
  });

  it('holds the example SD-JWT to the RFC: the issuer-signed JWT verifies under the example key', async () => {
    const key = await importJWK(RFC9901_ISSUER_JWK, 'ES256');
    const { protectedHeader } = await compactVerify(RFC9901_ISSUER_JWT, key);
    expect(protectedHeader).toEqual({ alg: 'ES256', typ: 'example+sd-jwt' });
  });

  it('processes every disclosure of the example into the claims the RFC shows', async () => {
    const all = await decodeAll(Object.values(RFC9901_DISCLOSURES));
    const { claims, disclosed } = processDisclosures(payloadOf(RFC9901_ISSUER_JWT), all);
    expect(disclosed).toHaveLength(10);
    expect(claims).toMatchObject({
      iss: 'https://issuer.example.com',
      sub: 'user_42',
      given_name: 'John',
      family_name: 'Doe',
      email: 'johndoe@example.com',
      phone_number: '+1-202-555-0101',
      phone_number_verified: true,
      address: { street_address: '123 Main St', locality: 'Anytown', region: 'Anystate', country: 'US' },
      birthdate: '1940-01-01',
      updated_at: 1570000000,
      nationalities: ['US', 'DE'],
    });
    expect(claims).not.toHaveProperty('_sd');
    expect(claims).not.toHaveProperty('_sd_alg');
  });

  it('shows only what the RFC\'s presentation discloses (family_name, given_name, address, one nationality)', async () => {
    const d = RFC9901_DISCLOSURES;
    const { claims } = processDisclosures(payloadOf(RFC9901_ISSUER_JWT), await decodeAll([d.family_name, d.address, d.given_name, d.nationality_us]));
    expect(claims).toMatchObject({ given_name: 'John', family_name: 'Doe', nationalities: ['US'] });
    for (const hidden of ['email', 'phone_number', 'phone_number_verified', 'birthdate', 'updated_at']) expect(claims).not.toHaveProperty(hidden);
  });

  it('splits the RFC\'s serialization, with and without a Key Binding JWT, and joins it back', () => {
    const d = RFC9901_DISCLOSURES;
    const text = joinSdJwt(RFC9901_ISSUER_JWT, [d.given_name, d.family_name]);
    expect(text.endsWith('~')).toBe(true);
    expect(splitSdJwt(text)).toEqual({ issuerJwt: RFC9901_ISSUER_JWT, disclosures: [d.given_name, d.family_name], kbJwt: null, hashedPart: text });
    expect(splitSdJwt(`${text}a.b.c`)).toMatchObject({ kbJwt: 'a.b.c', hashedPart: text });
  });
});

describe('strict processing', () => {
  const payload = payloadOf(RFC9901_ISSUER_JWT);
  const d = RFC9901_DISCLOSURES;

  it('refuses a disclosure whose digest nothing references', async () => {
    const stray = await objectDisclosure('given_name', 'Mallory');
    expect(await refusal(async () => processDisclosures(payload, [stray]))).toMatch(/not referenced/);
  });

  it('refuses the same disclosure given twice', async () => {
    expect(await refusal(async () => processDisclosures(payload, await decodeAll([d.email, d.email])))).toMatch(/twice/);
  });

  it('refuses a digest referenced twice, in the payload or through a disclosed value', async () => {
    const digest = (await decodeDisclosure(d.email)).digest;
    const twice = { ...payload, again: { _sd: [digest] } };
    expect(await refusal(async () => processDisclosures(twice, []))).toMatch(/more than once/);
    const inner = await objectDisclosure('nested', { _sd: [digest] });
    const viaDisclosure = { ...payload, _sd: [...(payload['_sd'] as string[]), inner.digest] };
    expect(await refusal(async () => processDisclosures(viaDisclosure, [inner, await decodeDisclosure(d.email)]))).toMatch(/more than once/);
  });

  it('refuses an array-element disclosure referenced from an object\'s _sd, and a property disclosure in an array', async () => {
    const element = await decodeDisclosure(d.nationality_us);
    const inObject = { ...payload, _sd: [...(payload['_sd'] as string[]), element.digest], nationalities: [] };
    expect(await refusal(async () => processDisclosures(inObject, [element]))).toMatch(/array-element disclosure/);
    const property = await decodeDisclosure(d.email);
    const inArray = { ...payload, _sd: [], list: [{ '...': property.digest }] };
    expect(await refusal(async () => processDisclosures(inArray, [property]))).toMatch(/referenced from an array element/);
  });

  it('refuses _sd_alg other than sha-256, and a disclosed name already present', async () => {
    expect(await refusal(async () => processDisclosures({ ...payload, _sd_alg: 'sha-512' }, []))).toMatch(/sha-512/);
    const email = await decodeDisclosure(d.email);
    expect(await refusal(async () => processDisclosures({ ...payload, email: 'plain@example.com' }, [email]))).toMatch(/already a member/);
  });

  it('refuses disclosures that are not strict: reserved names, wrong arity, padding, duplicate members', async () => {
    const enc = (value: unknown) => encodeBase64url(new TextEncoder().encode(JSON.stringify(value)));
    expect(await refusal(() => decodeDisclosure(enc(['salt', '_sd', ['x']])))).toMatch(/may not carry/);
    expect(await refusal(() => decodeDisclosure(enc(['salt', 'a', 'b', 'c'])))).toMatch(/not an array of/);
    expect(await refusal(() => decodeDisclosure(`${RFC9901_MOBIUS.encoded}=`))).toBeTruthy();
    const duplicate = encodeBase64url(new TextEncoder().encode('{"a":1,"a":2}'));
    expect(await refusal(() => decodeDisclosure(duplicate))).toMatch(/repeats/);
  });

  it('never lets a disclosed "__proto__" reach a prototype', async () => {
    const evil = await objectDisclosure('__proto__', { polluted: true });
    const { claims } = processDisclosures({ _sd: [evil.digest] }, [evil]);
    expect(Object.getPrototypeOf(claims)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('refuses an empty disclosure and text without the separator', () => {
    expect(() => splitSdJwt(`${RFC9901_ISSUER_JWT}~~`)).toThrow(SdJwtError);
    expect(() => splitSdJwt(RFC9901_ISSUER_JWT)).toThrow(/no "~"/);
  });
});
