import { createPublicKey, type JsonWebKey } from 'node:crypto';
import type { JWK } from 'jose';
import { type ClientJwks, MAX_CLIENT_KEYS } from '#shared/domain/client-registration.ts';
import { ClientJwksSchema } from '#shared/domain/schemas/client-registration.ts';
import { algOfKey, privateMembersOf } from './client-key.ts';
import { UsageError } from './context.ts';

/**
 * The public key set a client registers (an exchange, an auditor or an admin), checked by `dcc`
 * before anything is sent, with the service's rules: 1 to 5 keys, each public only, with a
 * unique `kid`, and EC P-256, RSA of at least 2048 bits or Ed25519. A file that holds a private
 * key is refused outright, so a private key never leaves the machine by mistake. The last word is
 * the service's own schema (`ClientJwksSchema`), run here on the merged set; the checks before it
 * only say in a user's terms, file by file, what is wrong.
 */

/** The members a registered key keeps; anything else (`x5c`, `key_ops`…) is not sent. */
const KEPT_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e', 'kid', 'alg', 'use'] as const;

/** One key set file's keys, for one message per file. */
export interface JwksSource {
  /** The file name, for messages. */
  name: string;
  /** The parsed JSON. */
  json: unknown;
}

function checkKey(value: unknown, where: string): JWK {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`${where} is not a JWK object`);
  const jwk = value as Record<string, unknown>;
  const secret = privateMembersOf(jwk);
  if (secret.length > 0) {
    throw new UsageError(
      `${where} is a private key (it has ${secret.map((m) => `"${m}"`).join(', ')}): register the public key set only (dcc keygen writes it as <name>.jwks.json); nothing was sent`,
    );
  }
  if (typeof jwk['kid'] !== 'string' || jwk['kid'] === '') throw new UsageError(`${where} has no "kid"`);
  if (jwk['use'] !== undefined && jwk['use'] !== 'sig') throw new UsageError(`${where} has "use": ${JSON.stringify(jwk['use'])}; a client key signs ("sig")`);
  let alg: string;
  try {
    alg = algOfKey(createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }));
  } catch (error) {
    throw new UsageError(`${where} is not a usable public key: ${(error as Error).message}`);
  }
  // Node reads any EC curve it knows and Ed448; the service takes exactly these three.
  if (!(jwk['kty'] === 'EC' && jwk['crv'] === 'P-256') && jwk['kty'] !== 'RSA' && !(jwk['kty'] === 'OKP' && jwk['crv'] === 'Ed25519')) {
    throw new UsageError(`${where} is not EC P-256, RSA or Ed25519`);
  }
  if (jwk['alg'] !== undefined && jwk['alg'] !== alg) throw new UsageError(`${where} says "alg": ${JSON.stringify(jwk['alg'])}, but the key signs ${alg}`);
  const kept: Record<string, unknown> = {};
  for (const member of KEPT_MEMBERS) if (jwk[member] !== undefined) kept[member] = jwk[member];
  return kept as JWK;
}

/**
 * The keys of one or more key set files (`{"keys": [...]}`, or a single public JWK), merged in
 * order: rotation registers the old file and the new one together. The same key in two files
 * counts once; one `kid` for two different keys is refused.
 * @throws {UsageError} naming the file and key at fault.
 */
export function clientJwksOf(sources: readonly JwksSource[]): ClientJwks {
  const keys: JWK[] = [];
  const byKid = new Map<string, string>();
  for (const { name, json } of sources) {
    const list: unknown[] =
      typeof json === 'object' && json !== null && Array.isArray((json as { keys?: unknown }).keys)
        ? ((json as { keys: unknown[] }).keys)
        : typeof json === 'object' && json !== null && 'kty' in json
          ? [json]
          : (() => {
              throw new UsageError(`${name} is not a key set ({"keys": [...]}) nor a JWK`);
            })();
    if (list.length === 0) throw new UsageError(`${name} holds no key`);
    list.forEach((value, i) => {
      const key = checkKey(value, list.length === 1 ? name : `${name} key ${i + 1}`);
      const kid = key.kid as string;
      const text = JSON.stringify(key);
      const seen = byKid.get(kid);
      if (seen === text) return;
      if (seen !== undefined) throw new UsageError(`kid ${JSON.stringify(kid)} names two different keys; each key needs a kid of its own`);
      byKid.set(kid, text);
      keys.push(key);
    });
  }
  if (keys.length === 0) throw new UsageError('no key to register: pass --jwks <file>');
  if (keys.length > MAX_CLIENT_KEYS) throw new UsageError(`${keys.length} keys: a client registers at most ${MAX_CLIENT_KEYS} (the current one and those being rotated)`);
  const checked = ClientJwksSchema.safeParse({ keys });
  if (!checked.success) {
    const problems = checked.error.issues.map((issue) => {
      const [, index] = issue.path;
      const key = typeof index === 'number' ? `key ${JSON.stringify(keys[index]?.kid)}: ` : '';
      return `${key}${issue.message}`;
    });
    throw new UsageError(`the key set would be refused by the service: ${problems.join('; ')}`);
  }
  return checked.data;
}
