import { Aws, type Duration, RemovalPolicy } from 'aws-cdk-lib';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  OAuthScope,
  ResourceServerScope,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
  UserPoolResourceServer,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { CLIENT_ROLES, ROLE_SCOPE, ROLES, type Scope, Scopes, scopesOf } from '#shared/http/routes.ts';

/** Identifier of the OAuth resource server; scopes are `dcc/<name>` (see `Scopes`). */
export const RESOURCE_SERVER_ID = 'dcc';

/**
 * The scopes a client of each kind gets: those of the roles the routes table grants it, in the
 * order `CLIENT_ROLES` lists the roles (not `scopesOf`'s), so that a deployed client's scope list
 * stays as it is.
 */
function clientScopes(kind: keyof typeof CLIENT_ROLES): Scope[] {
  return CLIENT_ROLES[kind].map((role) => ROLE_SCOPE[role]);
}

/** Properties of {@link MachineAuth}. */
export interface MachineAuthProps {
  /** Stage name, part of the pool, client and domain names. */
  readonly stage: string;
  /** Exchange ids that get a client with scope `dcc/issue`. */
  readonly exchanges: readonly string[];
  /**
   * Prefix of the hosted domain whose `/oauth2/token` issues the tokens.
   *
   * @default `dcc-<stage>-<account id>` (globally unique per region)
   */
  readonly domainPrefix?: string;
  /** Lifetime of an access token. */
  readonly accessTokenValidity: Duration;
  /**
   * Keep the pool (and so every client id and secret) when the stack is deleted, and refuse to
   * delete it through Cognito.
   *
   * @default false
   */
  readonly retain?: boolean;
}

/**
 * OAuth 2.0 client credentials for the machine clients of the API: a Cognito user pool with no
 * users, the resource server `dcc` with the scopes `issue`, `read` and `revoke`, one confidential
 * client per exchange plus `admin` and `auditor`, a hosted domain for the token endpoint, and the
 * HTTP API JWT authorizer that accepts exactly these clients' tokens.
 */
export class MachineAuth extends Construct {
  readonly userPool: UserPool;
  readonly domain: UserPoolDomain;
  /** Exchange clients by exchange id. */
  readonly exchangeClients: ReadonlyMap<string, UserPoolClient>;
  readonly adminClient: UserPoolClient;
  readonly auditorClient: UserPoolClient;
  /** Authorizer of the protected routes; its audience is every client id above. */
  readonly authorizer: HttpJwtAuthorizer;
  /** `https://<domain>/oauth2/token`. */
  readonly tokenEndpoint: string;

  constructor(scope: Construct, id: string, props: MachineAuthProps) {
    super(scope, id);
    const removalPolicy = props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.userPool = new UserPool(this, 'UserPool', {
      userPoolName: `dcc-${props.stage}-clients`,
      // Machine clients only: nobody signs up, and no user exists to recover or to sign in.
      selfSignUpEnabled: false,
      signInAliases: { username: true },
      accountRecovery: AccountRecovery.NONE,
      // Should a person ever be added, they meet a strong password and a second factor.
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
      },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      featurePlan: FeaturePlan.ESSENTIALS,
      deletionProtection: props.retain ?? false,
      removalPolicy,
    });

    const scopes = Object.fromEntries(
      scopesOf(ROLES).map((full) => {
        const name = full.slice(RESOURCE_SERVER_ID.length + 1);
        return [full, new ResourceServerScope({ scopeName: name, scopeDescription: scopeDescription(full) })];
      }),
    ) as Record<Scope, ResourceServerScope>;
    const resourceServer = new UserPoolResourceServer(this, 'ResourceServer', {
      userPool: this.userPool,
      identifier: RESOURCE_SERVER_ID,
      userPoolResourceServerName: `dcc-${props.stage}`,
      scopes: Object.values(scopes),
    });

    const client = (clientId: string, name: string, granted: readonly Scope[]): UserPoolClient =>
      this.userPool.addClient(clientId, {
        userPoolClientName: `dcc-${props.stage}-${name}`,
        generateSecret: true,
        // No user flows at all: the client credentials grant is the only way to a token.
        authFlows: { userPassword: false, userSrp: false, custom: false, adminUserPassword: false, user: false },
        oAuth: {
          flows: { clientCredentials: true },
          scopes: granted.map((s) => OAuthScope.resourceServer(resourceServer, scopes[s])),
        },
        supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
        accessTokenValidity: props.accessTokenValidity,
        preventUserExistenceErrors: true,
        enableTokenRevocation: true,
      });

    this.exchangeClients = new Map(
      props.exchanges.map((exchangeId) => [
        exchangeId,
        client(`Exchange-${exchangeId}`, `exchange-${exchangeId}`, clientScopes('exchange')),
      ]),
    );
    this.adminClient = client('Admin', 'admin', clientScopes('admin'));
    this.auditorClient = client('Auditor', 'auditor', clientScopes('auditor'));

    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: props.domainPrefix ?? `dcc-${props.stage}-${Aws.ACCOUNT_ID}` },
    });
    this.tokenEndpoint = `${this.domain.baseUrl()}/oauth2/token`;

    // Cognito access tokens carry no `aud`; API Gateway then matches `client_id` against the
    // audience, so listing every client id admits exactly the tokens of these clients.
    this.authorizer = new HttpJwtAuthorizer('CognitoAuthorizer', this.userPool.userPoolProviderUrl, {
      authorizerName: `dcc-${props.stage}-cognito`,
      jwtAudience: this.allClients().map((c) => c.userPoolClientId),
    });
  }

  /** Every client of the pool: the exchanges, admin and auditor. */
  allClients(): UserPoolClient[] {
    return [...this.exchangeClients.values(), this.adminClient, this.auditorClient];
  }
}

function scopeDescription(scope: Scope): string {
  switch (scope) {
    case Scopes.issue:
      return 'Issue certificates and look up own transactions (data exchanges)';
    case Scopes.read:
      return 'Read certificates and their audit trail (auditors)';
    case Scopes.revoke:
      return 'Revoke certificates (administrators of the issuing authority)';
  }
}
