import type { Credential } from './schemas/credential.ts';

/**
 * Credentials made by `buildCredential`, each with its JSON text taken when the schema passed
 * it: signing one signs that text, so what is signed is what was checked, whatever happens to
 * the object afterwards, and signing need not parse it again. A snapshot rather than a deep
 * freeze: the text is the payload's bytes anyway, and freezing the 25-odd objects of a
 * certificate cost more than writing it. A module of its own, so that what only verifies does
 * not bundle the builder.
 */
const built = new WeakMap<object, string>();

/** Remembers `credential` as schema-checked, with its JSON text as of now. The caller has checked it. */
export function markBuilt(credential: object): Credential {
  built.set(credential, JSON.stringify(credential));
  return credential as Credential;
}

/** The JSON text `credential` had when `buildCredential` checked it, or undefined for any other object. */
export function builtCredentialText(credential: object): string | undefined {
  return built.get(credential);
}
