import { randomUUID } from 'node:crypto';
import { encodeBase64url } from '../crypto/base64url.ts';
import { ACCESS_TOKEN_ALGORITHM, ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_TYPE } from './oauth.ts';

/** The public key that verifies access tokens, as `/oauth2/jwks.json` publishes it. */
export interface AccessTokenJwk {
  kty: 'RSA';
  n: string;
  e: string;
  /** RFC 7638 SHA-256 thumbprint of the key. */
  kid: string;
  alg: 'RS256';
  use: 'sig';
}

/**
 * Where access tokens are signed: a KMS `RSA_2048` key in AWS, a local RSA key file locally. The
 * private key never leaves the implementation.
 */
export interface AccessTokenSigner {
  /** The RSASSA-PKCS1-v1_5 SHA-256 signature (RS256) of `signingInput`. */
  sign(signingInput: Uint8Array): Promise<Uint8Array>;
  /** The key that verifies this signer's tokens; fetched once per process. */
  publicJwk(): Promise<AccessTokenJwk>;
}

/** What an access token says (RFC 9068 shape; the handlers read `client_id` and `scope`). */
export interface AccessTokenClaims {
  iss: string;
  aud: string;
  sub: string;
  client_id: string;
  scope: string;
  iat: number;
  exp: number;
  jti: string;
}

/** The claims of a token for `clientId` with `scope`, issued at `now` for `lifetimeSeconds`. */
export function accessTokenClaims(input: {
  issuer: string;
  clientId: string;
  scope: string;
  now: Date;
  lifetimeSeconds: number;
}): AccessTokenClaims {
  const iat = Math.floor(input.now.getTime() / 1000);
  return {
    iss: input.issuer,
    aud: ACCESS_TOKEN_AUDIENCE,
    sub: input.clientId,
    client_id: input.clientId,
    scope: input.scope,
    iat,
    exp: iat + input.lifetimeSeconds,
    jti: randomUUID(),
  };
}

/** Signs `claims` as a compact JWS with header `{alg: RS256, kid, typ: at+jwt}`. */
export async function signAccessToken(signer: AccessTokenSigner, claims: AccessTokenClaims): Promise<string> {
  const { kid } = await signer.publicJwk();
  const header = { alg: ACCESS_TOKEN_ALGORITHM, kid, typ: ACCESS_TOKEN_TYPE };
  const signingInput = `${encodeJson(header)}.${encodeJson(claims)}`;
  const signature = await signer.sign(new TextEncoder().encode(signingInput));
  return `${signingInput}.${encodeBase64url(signature)}`;
}

function encodeJson(value: unknown): string {
  return encodeBase64url(new TextEncoder().encode(JSON.stringify(value)));
}
