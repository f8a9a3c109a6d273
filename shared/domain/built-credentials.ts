import type { Credential } from './schemas/credential.ts';

/**
 * Credentials made by `buildCredential`: checked against `CredentialSchema` when built and
 * deeply frozen since, so signing them need not parse them again. A module of its own, so that
 * what only verifies does not bundle the builder.
 */
const built = new WeakSet<object>();

/** Freezes `credential` deeply and remembers it as schema-checked. The caller has checked it. */
export function markBuilt(credential: object): Credential {
  built.add(deepFreeze(credential));
  return credential as Credential;
}

/** Whether `credential` was built (and so checked) by `buildCredential`, and cannot have changed since. */
export function isBuiltCredential(credential: object): boolean {
  return built.has(credential);
}

function deepFreeze<T extends object>(value: T): Readonly<T> {
  for (const member of Object.values(value)) {
    if (typeof member === 'object' && member !== null) deepFreeze(member as object);
  }
  return Object.freeze(value);
}
