import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type Key, KeySpec } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ACCESS_TOKEN_AUDIENCE, discoveryUrl, tokenEndpointUrl } from '#shared/domain/oauth.ts';
import type { ApiFunction } from './api-function.ts';
import { retainedSigningKey } from './signing-keys.ts';

/**
 * Conditions on `kms:Sign` with the access-token key: RS256 is PKCS#1 v1.5 over a SHA-256 digest
 * computed in the function, so a stolen role session can make no other kind of signature either.
 */
export const ACCESS_TOKEN_SIGN_CONDITIONS = {
  StringEquals: { 'kms:SigningAlgorithm': 'RSASSA_PKCS1_V1_5_SHA_256', 'kms:MessageType': 'DIGEST' },
} as const;

/** Properties of {@link MachineAuth}. */
export interface MachineAuthProps {
  /** Stage name, part of the key description and the authorizer name. */
  readonly stage: string;
  /**
   * The issuer: the API's own public base URL (custom domain or execute-api URL, https, no
   * trailing slash), under which API Gateway fetches `/.well-known/openid-configuration` and the
   * `jwks_uri` it names. May be a token (the API's endpoint is known only at deploy time).
   */
  readonly issuer: string;
}

/**
 * Machine-client authentication without Cognito (which the China regions do not offer): the
 * service is its own OAuth 2.0 authorization server. Clients register their public keys in the
 * table through the admin routes and get access tokens from `POST /oauth2/token` with a signed
 * client assertion (`private_key_jwt`); the tokens are signed RS256 by a KMS `RSA_2048` key, and
 * the HTTP API's JWT authorizer trusts exactly this issuer and one audience. Nothing here depends
 * on how many clients exist: registering one changes no resource.
 */
export class MachineAuth extends Construct {
  /** The access-token key: KMS `RSA_2048` / `SIGN_VERIFY`, retained. */
  readonly accessTokenKey: Key;
  /** Authorizer of the protected routes: this issuer, one audience. */
  readonly authorizer: HttpJwtAuthorizer;
  /** `<issuer>/oauth2/token`. */
  readonly tokenEndpoint: string;
  /** `<issuer>/.well-known/openid-configuration`. */
  readonly discoveryUrl: string;

  constructor(scope: Construct, id: string, props: MachineAuthProps) {
    super(scope, id);
    // RSA because API Gateway's JWT authorizer verifies only RSA signatures (AWS's documentation
    // of HTTP API JWT authorizers, China edition: "目前仅支持基于 RSA 的算法").
    this.accessTokenKey = retainedSigningKey(this, 'AccessTokenKey', {
      description: `Data compliance certificates (${props.stage}): access-token signing key (RS256)`,
      keySpec: KeySpec.RSA_2048,
    });
    this.tokenEndpoint = tokenEndpointUrl(props.issuer);
    this.discoveryUrl = discoveryUrl(props.issuer);
    this.authorizer = new HttpJwtAuthorizer('AccessTokenAuthorizer', props.issuer, {
      authorizerName: `dcc-${props.stage}-access-tokens`,
      jwtAudience: [ACCESS_TOKEN_AUDIENCE],
    });
  }

  /**
   * Lets `fn` sign access tokens: `kms:Sign` on the access-token key alone, RS256 over a digest
   * only, in the role's policy and in the key policy (which is the one that counts: the account
   * may administer the key but not sign with it). Sets `DCC_ACCESS_TOKEN_KMS_KEY_ID`.
   */
  grantSign(fn: ApiFunction): void {
    fn.executionRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['kms:Sign'], resources: [this.accessTokenKey.keyArn], conditions: ACCESS_TOKEN_SIGN_CONDITIONS }),
    );
    this.accessTokenKey.addToResourcePolicy(
      new PolicyStatement({
        sid: `Sign${fn.node.id}`.replace(/[^A-Za-z0-9]/g, ''),
        principals: [fn.executionRole],
        actions: ['kms:Sign'],
        resources: ['*'],
        conditions: ACCESS_TOKEN_SIGN_CONDITIONS,
      }),
    );
    this.grantPublicKey(fn);
  }

  /** Lets `fn` read the access-token public key (the JWKS and the token header's `kid`). */
  grantPublicKey(fn: ApiFunction): void {
    fn.executionRole.addToPrincipalPolicy(new PolicyStatement({ actions: ['kms:GetPublicKey'], resources: [this.accessTokenKey.keyArn] }));
    fn.addEnvironment('DCC_ACCESS_TOKEN_KMS_KEY_ID', this.accessTokenKey.keyArn);
  }
}
