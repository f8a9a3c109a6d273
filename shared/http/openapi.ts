import * as z from 'zod/mini';
import issueRequestExample from '../../examples/issue-request.json' with { type: 'json' };
import { ClientRegistrationRequestSchema, ExchangePathSchema, ExchangeRegistrationRequestSchema, RoleClientPathSchema } from '../domain/schemas/client-registration.ts';
import { VOCABULARY_PATHS } from '../domain/credential-context.ts';
import { OAUTH_PATHS } from '../domain/oauth.ts';
import {
  CertificateNumberPathSchema,
  CertificatePathSchema,
  CompactReferenceQuerySchema,
  ProofQuerySchema,
  RevokeRequestSchema,
  SdJwtRequestSchema,
  StatusListPathSchema,
  TilePathSchema,
  TransactionLookupQuerySchema,
  VerifyQuerySchema,
  VerifyRequestSchema,
  VocabularyPathSchema,
} from '../domain/schemas/api.ts';
import {
  AuditTrailSchema,
  CertificateRecordSchema,
  CompactReferenceResponseSchema,
  ProblemDocumentSchema,
  SdJwtResponseSchema,
  TransactionLookupResponseSchema,
  VerificationJwksSchema,
  VerificationResultSchema,
} from '../domain/schemas/api-responses.ts';
import { CredentialSchema } from '../domain/schemas/credential.ts';
import { DisclosedCredentialSchema } from '../domain/schemas/disclosed-credential.ts';
import { IssueRequestSchema } from '../domain/schemas/issue-request.ts';
import {
  AccessTokenJwksSchema,
  DiscoveryDocumentSchema,
  OAuthErrorResponseSchema,
  RegistrationViewSchema,
  TokenRequestFormSchema,
  TokenResponseSchema,
} from '../domain/schemas/oauth.ts';
import { MAX_BODY_BYTES } from './handler.ts';
import { PROBLEM_CONTENT_TYPE, type ProblemCode, problemCatalog } from './problems.ts';
import { ROLE_SCOPE, ROLES, type RouteDefinition, type RouteHandlerName, routes } from './routes.ts';

/**
 * The API description: an OpenAPI 3.1 document rendered from the routes table (paths, methods,
 * who may call, with which scopes), the zod schemas the handler chain parses requests with and
 * the endpoints type their answers against, and the problem catalog (which code answers with
 * which status). Nothing in it is written twice, so it cannot drift from the code; the tests
 * check every response they receive against it all the same.
 *
 * The document is the same for every deployment: its server is `/`, relative to wherever the
 * document was fetched from, and so is the token URL of its OAuth 2.0 scheme. The repository
 * keeps a copy (`openapi.json`, written by `scripts/build-openapi.ts`) that a test compares byte
 * for byte with a fresh rendering, and `GET /openapi.json` serves the same bytes.
 */

/** A JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1) as plain data. */
type JsonSchema = Record<string, unknown>;

/** A body of a response or a request: a zod schema, or a JSON Schema for text and bytes. */
interface Content {
  mediaType: string;
  schema: z.ZodMiniType | JsonSchema;
  example?: unknown;
}

/** A successful answer of an operation. */
interface Success {
  status: 200 | 201;
  description: string;
  content: Content[];
  /** Response headers worth a client's attention, by name. */
  headers?: Record<string, { description: string; schema: JsonSchema }>;
}

/** What the table does not say about a route: its words, its input and its answers. */
interface OperationSpec {
  summary: string;
  description: string;
  tag: TagName;
  /** The schemas the route's handler chain parses its path and query with. */
  path?: z.ZodMiniType;
  query?: z.ZodMiniType;
  /** The body the route parses; `required: false` when an empty body stands for a default. */
  body?: { content: Content; required: boolean };
  success: Success[];
  /**
   * The problem codes of the route's own refusals. Those that follow from the table and the
   * input (authorization, body and schema checks, 500 and 503) are added by {@link problemCodesOf}.
   */
  problems?: readonly ProblemCode[];
  /** The token endpoint answers its refusals with RFC 6749 error objects, not problem documents. */
  oauthErrors?: true;
}

const TAGS = {
  certificates: 'Issuing, finding, reading and revoking certificates (data exchanges, auditors, admins).',
  verification: 'Checking a certificate, by anyone.',
  'status lists': 'Bitstring status lists: the signed revocation bits.',
  keys: 'The keys certificates and status lists are signed with.',
  vocabulary: 'The JSON-LD context and the JSON Schema certificates name.',
  'transparency log': 'The C2SP tiled transparency log of every change of a certificate.',
  'authorization server': 'OAuth 2.0 client credentials with private_key_jwt: tokens, their keys, discovery.',
  administration: 'Registering data exchanges and auditor or admin clients with their public keys.',
  'about the API': 'The verification page and this description.',
} as const;
type TagName = keyof typeof TAGS;

const LOCATION = { description: 'The path of the resource.', schema: { type: 'string' } };
const NO_STORE = { description: 'Always `no-store`.', schema: { type: 'string', const: 'no-store' } };
const json = (schema: z.ZodMiniType, example?: unknown): Content => ({ mediaType: 'application/json', schema, ...(example !== undefined ? { example } : {}) });
const text = (mediaType: string, schema: JsonSchema): Content => ({ mediaType, schema });

const COMPACT_JWS = { type: 'string', pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$' };

/** Every route of the table, described; the type makes a route without a description a compile error. */
const OPERATIONS: { readonly [H in RouteHandlerName]: OperationSpec } = {
  'issue-certificate': {
    summary: 'Issue the certificate of a cleared transaction',
    description:
      'A data exchange requests the certificate of one of its transactions. The same request again is a replay: 200 with the byte-identical certificate. Another request for the same transaction reference is a 409.',
    tag: 'certificates',
    body: { content: json(IssueRequestSchema, issueRequestExample), required: true },
    success: [
      { status: 201, description: 'Issued.', content: [json(CertificateRecordSchema)], headers: { Location: LOCATION } },
      { status: 200, description: 'A replay: the certificate this request issued before.', content: [json(CertificateRecordSchema)], headers: { Location: LOCATION } },
    ],
    problems: ['compliance-rule-violation', 'transaction-conflict', 'supersede-target-invalid', 'certificate-not-found'],
  },
  'find-certificates': {
    summary: "Find the certificate of one of the exchange's own transactions",
    description: 'By the exchange\'s transaction reference; `items` is empty when there is none.',
    tag: 'certificates',
    query: TransactionLookupQuerySchema,
    success: [{ status: 200, description: 'The transaction\'s certificate, if any.', content: [json(TransactionLookupResponseSchema)] }],
  },
  'get-certificate': {
    summary: 'Read a certificate',
    description:
      'The issuing exchange, auditors and admins read a certificate record, with its transparency log indexes once integrated. Another exchange\'s certificate is a 404, like one that does not exist.',
    tag: 'certificates',
    path: CertificatePathSchema,
    success: [{ status: 200, description: 'The certificate record.', content: [json(CertificateRecordSchema)] }],
    problems: ['certificate-not-found'],
  },
  'list-certificate-events': {
    summary: 'Read the audit trail of a certificate',
    description: 'Every change of the certificate, oldest first.',
    tag: 'certificates',
    path: CertificatePathSchema,
    success: [{ status: 200, description: 'The audit trail.', content: [json(AuditTrailSchema)] }],
    problems: ['certificate-not-found'],
  },
  'revoke-certificate': {
    summary: 'Revoke a certificate',
    description: 'Final: a revoked certificate stays revoked, and a second revocation is a 409.',
    tag: 'certificates',
    path: CertificatePathSchema,
    body: { content: json(RevokeRequestSchema), required: true },
    success: [{ status: 200, description: 'The revoked certificate record.', content: [json(CertificateRecordSchema)] }],
    problems: ['certificate-not-found', 'already-revoked'],
  },
  'issue-sd-jwt': {
    summary: 'Obtain the selectively disclosable form of a certificate',
    description:
      'The issuing exchange obtains the selectively disclosable form (`vc+sd-jwt`, W3C VC-JOSE-COSE over RFC 9901) of one of its certificates, optionally bound to a holder key (`cnf`). 201 when this request signed it, 200 with the same bytes ever after; another exchange gets the 404 of an unknown certificate. No new form of a revoked certificate (409). The body may be empty.',
    tag: 'certificates',
    path: CertificatePathSchema,
    body: { content: json(SdJwtRequestSchema), required: false },
    success: [
      { status: 201, description: 'Signed by this request.', content: [json(SdJwtResponseSchema)] },
      { status: 200, description: 'Signed before: the same bytes.', content: [json(SdJwtResponseSchema)] },
    ],
    problems: ['certificate-not-found', 'already-revoked'],
  },
  'verify-certificate': {
    summary: 'Verify a certificate or a presentation',
    description:
      'Anyone checks a certificate token, or a presentation of its selectively disclosable form, against the published keys and its status. `?log=true` also checks its inclusion in the transparency log. A token that does not verify is still a 200, with `verified: false` and the failed checks.',
    tag: 'verification',
    query: VerifyQuerySchema,
    body: { content: json(VerifyRequestSchema), required: true },
    success: [{ status: 200, description: 'The verdict and every check.', content: [json(VerificationResultSchema)] }],
  },
  'get-status-list': {
    summary: 'Read a signed status list',
    description: 'A Bitstring Status List credential, signed as a compact JWS, fresh at the origin.',
    tag: 'status lists',
    path: StatusListPathSchema,
    success: [{ status: 200, description: 'The status list credential.', content: [text('application/vc+jwt', COMPACT_JWS)] }],
    problems: ['status-list-not-found'],
  },
  'get-jwks': {
    summary: 'Read the certificate verification keys',
    description: 'Every public key whose certificates and status lists still verify: the current one and the retired ones.',
    tag: 'keys',
    success: [{ status: 200, description: 'The key set.', content: [{ mediaType: 'application/jwk-set+json', schema: VerificationJwksSchema }] }],
  },
  'get-certificate-by-number': {
    summary: 'Resolve the compact reference of a QR code',
    description:
      'The certificate a compact QR code names, by its number and check value (the verification page resolves the compact form with it, then verifies the token). A wrong check value is answered as an unknown number.',
    tag: 'verification',
    path: CertificateNumberPathSchema,
    query: CompactReferenceQuerySchema,
    success: [{ status: 200, description: 'The certificate\'s id, number and token.', content: [json(CompactReferenceResponseSchema)] }],
    problems: ['certificate-not-found'],
  },
  'get-vocabulary': {
    summary: "Read the certificate's JSON-LD context or JSON Schema",
    description: `\`${VOCABULARY_PATHS.context}\` (application/ld+json) and \`${VOCABULARY_PATHS.schema}\` (application/schema+json). A version never changes; any other path is a 404.`,
    tag: 'vocabulary',
    path: VocabularyPathSchema,
    success: [
      {
        status: 200,
        description: 'The document.',
        content: [
          text('application/ld+json', { type: 'object', properties: { '@context': { type: 'object' } }, required: ['@context'] }),
          text('application/schema+json', { type: 'object', properties: { $schema: { const: 'https://json-schema.org/draft/2020-12/schema' } }, required: ['$schema'] }),
        ],
      },
    ],
    problems: ['not-found'],
  },
  'verification-page': {
    summary: 'The verification page',
    description: 'A static page that verifies a certificate in the browser; the certificate never reaches the server.',
    tag: 'about the API',
    success: [{ status: 200, description: 'The page.', content: [text('text/html', { type: 'string' })] }],
  },
  'log-checkpoint': {
    summary: "Read the log's latest checkpoint",
    description: 'A C2SP tlog-checkpoint signed note.',
    tag: 'transparency log',
    success: [{ status: 200, description: 'The checkpoint.', content: [text('text/plain', { type: 'string', minLength: 1 })] }],
    problems: ['not-found'],
  },
  'log-key': {
    summary: "Read the log's note verifier key",
    description: '`<origin>+<hex key id>+<base64 key>` followed by a newline.',
    tag: 'transparency log',
    success: [{ status: 200, description: 'The verifier key.', content: [text('text/plain', { type: 'string', pattern: '^[^+\\s]+\\+[0-9a-f]{8}\\+[A-Za-z0-9+/]+=*\\n$' })] }],
    problems: ['not-found'],
  },
  'log-tile': {
    summary: 'Read a tile or an entry bundle of the log',
    description:
      'C2SP tlog-tiles: `tile/<L>/<N>[.p/<W>]` and `tile/entries/<N>[.p/<W>]`, where `proxy` is the rest of the path after `/v1/log/tile/`, slashes included. Full tiles are immutable.',
    tag: 'transparency log',
    path: TilePathSchema,
    success: [{ status: 200, description: 'The tile\'s bytes.', content: [text('application/octet-stream', {})] }],
    problems: ['not-found'],
  },
  'get-certificate-proof': {
    summary: 'Prove that a change of a certificate is in the log',
    description: 'A `c2sp.org/tlog-proof@v1` document against the current checkpoint; a 404 until the change is integrated.',
    tag: 'transparency log',
    path: CertificatePathSchema,
    query: ProofQuerySchema,
    success: [{ status: 200, description: 'The proof.', content: [text('text/plain', { type: 'string', minLength: 1 })] }],
    problems: ['not-found'],
  },
  'oauth-token': {
    summary: 'Obtain an access token',
    description:
      'OAuth 2.0 client credentials grant (RFC 6749) with `private_key_jwt` client authentication (RFC 7523): the client signs an assertion with a key it registered. Refusals are RFC 6749 error objects; `invalid_client` is a 401 with `WWW-Authenticate`.',
    tag: 'authorization server',
    body: { content: { mediaType: 'application/x-www-form-urlencoded', schema: TokenRequestFormSchema }, required: true },
    success: [{ status: 200, description: 'The access token (RS256, `typ` at+jwt).', content: [json(TokenResponseSchema)], headers: { 'Cache-Control': NO_STORE } }],
    oauthErrors: true,
  },
  'openid-configuration': {
    summary: "Read the authorization server's discovery document",
    description: 'OpenID Connect Discovery metadata: the issuer, the token endpoint, the access-token keys and what the token endpoint accepts.',
    tag: 'authorization server',
    success: [{ status: 200, description: 'The discovery document.', content: [json(DiscoveryDocumentSchema)] }],
  },
  'oauth-jwks': {
    summary: 'Read the access-token verification keys',
    description: 'The RSA keys access tokens are signed with (distinct from the certificate keys).',
    tag: 'authorization server',
    success: [{ status: 200, description: 'The key set.', content: [{ mediaType: 'application/jwk-set+json', schema: AccessTokenJwksSchema }] }],
  },
  'put-exchange': {
    summary: 'Register or replace a data exchange',
    description:
      'With the public keys its client signs assertions with (its client id is its exchange id). Rotation: register the old and the new keys together, then the new alone.',
    tag: 'administration',
    path: ExchangePathSchema,
    body: { content: json(ExchangeRegistrationRequestSchema), required: true },
    success: [
      { status: 201, description: 'Registered.', content: [json(RegistrationViewSchema)], headers: { Location: LOCATION } },
      { status: 200, description: 'Replaced.', content: [json(RegistrationViewSchema)], headers: { Location: LOCATION } },
    ],
    problems: ['client-id-taken'],
  },
  'get-exchange': {
    summary: "Read a data exchange's registration",
    description: 'Its public keys only.',
    tag: 'administration',
    path: ExchangePathSchema,
    success: [{ status: 200, description: 'The registration.', content: [json(RegistrationViewSchema)] }],
    problems: ['not-found'],
  },
  'put-client': {
    summary: 'Register or replace an auditor or admin client',
    description: 'Its client id has a dot or a colon, so it is never an exchange\'s.',
    tag: 'administration',
    path: RoleClientPathSchema,
    body: { content: json(ClientRegistrationRequestSchema), required: true },
    success: [
      { status: 201, description: 'Registered.', content: [json(RegistrationViewSchema)], headers: { Location: LOCATION } },
      { status: 200, description: 'Replaced.', content: [json(RegistrationViewSchema)], headers: { Location: LOCATION } },
    ],
    problems: ['client-id-taken'],
  },
  'get-openapi': {
    summary: 'Read this API description',
    description: 'This OpenAPI 3.1 document, the same bytes for every deployment.',
    tag: 'about the API',
    success: [{ status: 200, description: 'The document.', content: [text('application/json', {
            type: 'object',
            properties: { openapi: { type: 'string', pattern: '^3\\.1\\.' }, info: { type: 'object' }, paths: { type: 'object' } },
            required: ['openapi', 'info', 'paths'],
          })] }],
  },
};

/** The named schemas of the document, by component name: requests as sent, responses as served. */
const REQUEST_COMPONENTS: ReadonlyArray<[string, z.ZodMiniType, string]> = [
  ['IssueRequest', IssueRequestSchema, 'A cleared transaction, as a data exchange reports it.'],
  ['RevokeRequest', RevokeRequestSchema, 'Why a certificate is revoked.'],
  ['VerifyRequest', VerifyRequestSchema, 'A token to judge; `aud` and `nonce` (both or neither) for a holder-bound presentation.'],
  ['SdJwtRequest', SdJwtRequestSchema, 'The holder key to bind the selectively disclosable form to, if any.'],
  ['ExchangeRegistrationRequest', ExchangeRegistrationRequestSchema, 'A data exchange and the public keys of its client.'],
  ['ClientRegistrationRequest', ClientRegistrationRequestSchema, 'An auditor or admin client and its public keys.'],
  ['TokenRequest', TokenRequestFormSchema, 'The client credentials grant with a JWT client assertion.'],
];
const RESPONSE_COMPONENTS: ReadonlyArray<[string, z.ZodMiniType, string]> = [
  ['CertificateRecord', CertificateRecordSchema, 'A certificate: the signed token and what the service knows of it.'],
  ['TransactionLookup', TransactionLookupResponseSchema, 'The certificate of a transaction, if any.'],
  ['AuditTrail', AuditTrailSchema, 'The changes of a certificate, oldest first.'],
  ['Credential', CredentialSchema, 'The payload of a certificate: a W3C Verifiable Credential (VC Data Model 2.0).'],
  ['DisclosedCredential', DisclosedCredentialSchema, 'What a presentation of the selectively disclosable form shows.'],
  ['VerificationResult', VerificationResultSchema, 'The verdict on a token and every check behind it.'],
  ['CompactReference', CompactReferenceResponseSchema, 'What a compact QR reference resolves to.'],
  ['SdJwtResponse', SdJwtResponseSchema, 'The issuer-signed JWT and every disclosure.'],
  ['VerificationJwks', VerificationJwksSchema, 'The certificate and status list verification keys.'],
  ['Problem', ProblemDocumentSchema, 'An RFC 9457 problem document with the service\'s stable `code` and per-field `errors`.'],
  ['TokenResponse', TokenResponseSchema, 'An access token (RFC 6749 section 5.1).'],
  ['OAuthError', OAuthErrorResponseSchema, 'A refused token request (RFC 6749 section 5.2).'],
  ['DiscoveryDocument', DiscoveryDocumentSchema, 'OpenID Connect Discovery metadata of the authorization server.'],
  ['AccessTokenJwks', AccessTokenJwksSchema, 'The access-token verification keys.'],
  ['Registration', RegistrationViewSchema, 'A registered client with its public keys.'],
];

/** API Gateway's own refusals of a token (its JWT authorizer): `{"message": "Unauthorized"}`, `{"message": "Forbidden"}`. */
const GATEWAY_MESSAGE: JsonSchema = {
  type: 'object',
  description: 'API Gateway\'s own answer when its JWT authorizer refuses the token (locally, a problem document instead).',
  properties: { message: { type: 'string' } },
  required: ['message'],
};

const REF = (name: string) => `#/components/schemas/${name}`;

/**
 * The JSON Schemas of `components`, rendered together so that a schema used inside another is a
 * `$ref` to its component. Requests are rendered as a client sends them (`io: input`: defaults
 * optional), responses as the service serves them.
 */
function renderComponents(): { schemas: Record<string, JsonSchema>; ids: Map<z.ZodMiniType, string> } {
  const ids = new Map<z.ZodMiniType, string>();
  const schemas: Record<string, JsonSchema> = {};
  for (const [io, list] of [['input', REQUEST_COMPONENTS], ['output', RESPONSE_COMPONENTS]] as const) {
    const registry = z.registry<{ id: string }>();
    for (const [name, schema] of list) {
      registry.add(schema, { id: name });
      ids.set(schema, name);
    }
    const rendered = z.toJSONSchema(registry, { target: 'draft-2020-12', io, unrepresentable: 'throw', uri: REF, override: documentPipeOutputs(io) });
    for (const [name, schema, description] of list) {
      const { $schema: _dialect, $id: _id, ...body } = rendered.schemas[name] as JsonSchema;
      schemas[name] = { description, ...body };
    }
    if (rendered.schemas['__shared']) throw new Error('a component schema is recursive; name its parts in the components lists');
  }
  return { schemas, ids };
}

/**
 * A pipe from `z.unknown()` is a pre-check in front of the real shape (the registered JWK's
 * private-member check): its input renders as "anything", so a request documents the output.
 */
function documentPipeOutputs(io: 'input' | 'output') {
  return (ctx: { zodSchema: unknown; jsonSchema: JsonSchema }): void => {
    if (io !== 'input') return;
    const def = (ctx.zodSchema as { _zod?: { def?: { type?: string; in?: { _zod?: { def?: { type?: string } } }; out?: z.ZodMiniType } } })._zod?.def;
    if (def?.type !== 'pipe' || def.in?._zod?.def?.type !== 'unknown' || !def.out) return;
    const { $schema: _dialect, ...out } = z.toJSONSchema(def.out, { target: 'draft-2020-12', io: 'input', unrepresentable: 'throw' }) as JsonSchema;
    Object.assign(ctx.jsonSchema, out);
  };
}

/** A schema inline, or the `$ref` of its component. */
function schemaOf(schema: z.ZodMiniType | JsonSchema, ids: Map<z.ZodMiniType, string>, io: 'input' | 'output'): JsonSchema {
  if (!(schema instanceof z.ZodMiniType)) return schema;
  const id = ids.get(schema);
  if (id) return { $ref: REF(id) };
  const { $schema: _dialect, ...inline } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'throw' }) as JsonSchema;
  return inline;
}

/** The path and query parameters of an object schema, one per property. */
function parametersOf(where: 'path' | 'query', schema: z.ZodMiniType | undefined): JsonSchema[] {
  if (!schema) return [];
  const rendered = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'throw' }) as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(rendered.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (rendered.required ?? []).includes(name),
    schema: property,
  }));
}

/**
 * Every problem code a route can answer: those of its own refusals, and those the table and its
 * input make. The chain refuses a caller without a valid token or role; it refuses a body that
 * is too large, not JSON or not valid, and a path or query that does not match its schema; and
 * any route can fail (500) or find a dependency unavailable (503).
 */
export function problemCodesOf(route: Pick<RouteDefinition, 'handler' | 'access'>): ProblemCode[] {
  const spec = OPERATIONS[route.handler as RouteHandlerName];
  const codes = new Set<ProblemCode>(spec.problems ?? []);
  if (route.access !== 'public') {
    for (const code of ['unauthorized', 'insufficient-scope', 'forbidden'] as const) codes.add(code);
    if (route.access.includes('exchange')) {
      codes.add('exchange-not-registered');
      codes.add('exchange-suspended');
    }
  }
  if (spec.body && !spec.oauthErrors) {
    for (const code of ['malformed-json', 'validation-failed', 'payload-too-large', 'unsupported-media-type'] as const) codes.add(code);
  }
  if (spec.path || spec.query) codes.add('validation-failed');
  codes.add('internal-error');
  codes.add('service-unavailable');
  return [...codes].sort((a, b) => problemCatalog[a].status - problemCatalog[b].status || a.localeCompare(b));
}

/** The OpenAPI path of a route: `{proxy+}` (API Gateway's greedy parameter) becomes `{proxy}`. */
export function openApiPath(route: Pick<RouteDefinition, 'path'>): string {
  return route.path.replace(/\{(\w+)\+\}/g, '{$1}');
}

function responsesOf(route: RouteDefinition<RouteHandlerName>, ids: Map<z.ZodMiniType, string>): Record<string, JsonSchema> {
  const spec = OPERATIONS[route.handler];
  const responses: Record<string, JsonSchema> = {};
  for (const success of spec.success) {
    responses[String(success.status)] = {
      description: success.description,
      ...(success.headers ? { headers: success.headers } : {}),
      content: Object.fromEntries(success.content.map((c) => [c.mediaType, { schema: schemaOf(c.schema, ids, 'output') }])),
    };
  }
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of problemCodesOf(route)) {
    const status = problemCatalog[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  if (spec.oauthErrors) {
    byStatus.set(400, byStatus.get(400) ?? []);
    byStatus.set(401, byStatus.get(401) ?? []);
  }
  for (const status of [...byStatus.keys()].sort((a, b) => a - b)) {
    const codes = byStatus.get(status) ?? [];
    const content: Record<string, JsonSchema> = {};
    const headers: Record<string, JsonSchema> = {};
    const words: string[] = codes.map((code) => `\`${code}\`: ${problemCatalog[code].title}.`);
    if (spec.oauthErrors && (status === 400 || status === 401)) {
      const errors = status === 401 ? ['invalid_client'] : ['invalid_request', 'invalid_scope', 'unsupported_grant_type'];
      content['application/json'] = {
        schema: { allOf: [{ $ref: REF('OAuthError') }, { properties: { error: { enum: errors } } }] },
      };
      words.push(`RFC 6749 error ${errors.map((e) => `\`${e}\``).join(', ')}.`);
      if (status === 401) headers['WWW-Authenticate'] = { description: 'The challenge (`Bearer error="invalid_client"`).', schema: { type: 'string' } };
    }
    if (codes.length > 0) {
      content[PROBLEM_CONTENT_TYPE] = {
        schema: { allOf: [{ $ref: REF('Problem') }, { properties: { status: { const: status }, code: { enum: codes } } }] },
      };
    }
    if (route.access !== 'public' && (status === 401 || status === 403)) {
      content['application/json'] = { schema: GATEWAY_MESSAGE };
      words.push('In AWS, API Gateway answers a token it refuses with `{"message": …}` instead.');
    }
    if (status === 401 && route.access !== 'public') {
      headers['WWW-Authenticate'] = { description: 'The Bearer challenge (RFC 6750).', schema: { type: 'string' } };
    }
    if (status === 503) headers['Retry-After'] = { description: 'Seconds to wait before retrying the same request.', schema: { type: 'string', pattern: '^[0-9]+$' } };
    responses[String(status)] = {
      description: words.join(' '),
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
      content,
    };
  }
  return responses;
}

function operationOf(route: RouteDefinition<RouteHandlerName>, ids: Map<z.ZodMiniType, string>): JsonSchema {
  const spec = OPERATIONS[route.handler] as OperationSpec | undefined;
  // The type of OPERATIONS already asks for every route; this says which one at run time too.
  if (!spec) throw new Error(`route ${route.handler} has no description in shared/http/openapi.ts (OPERATIONS)`);
  const parameters = [...parametersOf('path', spec.path), ...parametersOf('query', spec.query)];
  if (spec.path && route.path.includes('+}')) {
    for (const parameter of parameters) if (parameter['in'] === 'path') parameter['description'] = 'The rest of the path, slashes included (sent unescaped).';
  }
  const body = spec.body;
  return {
    operationId: route.handler,
    summary: spec.summary,
    description: spec.description,
    tags: [spec.tag],
    security: route.auth === 'public' ? [] : route.auth.anyScope.map((scope) => ({ oauth2: [scope] })),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(body
      ? {
          requestBody: {
            required: body.required,
            ...(body.content.mediaType === 'application/json' ? { description: `At most ${MAX_BODY_BYTES} bytes of UTF-8 JSON.` } : {}),
            content: {
              [body.content.mediaType]: {
                schema: schemaOf(body.content.schema, ids, 'input'),
                ...(body.content.example !== undefined ? { example: body.content.example } : {}),
              },
            },
          },
        }
      : {}),
    responses: responsesOf(route, ids),
  };
}

/** The API description as a JSON value. */
export function openApiDocument(): JsonSchema {
  const { schemas, ids } = renderComponents();
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const path = openApiPath(route);
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operationOf(route, ids) };
  }
  return {
    openapi: '3.1.1',
    info: {
      title: 'Data compliance certificates (数据合规流通数字证书)',
      version: '1',
      summary: 'Signed, verifiable, revocable data invoices for data-transfer transactions.',
      description:
        'Issues W3C Verifiable Credentials for data-transfer transactions, verifies and revokes them, publishes Bitstring status lists and a C2SP transparency log. Errors are RFC 9457 problem documents with a stable `code`; the token endpoint answers RFC 6749 error objects.',
    },
    servers: [{ url: '/', description: 'The deployment that serves this document.' }],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    paths,
    components: {
      schemas,
      securitySchemes: {
        oauth2: {
          type: 'oauth2',
          description: `OAuth 2.0 client credentials at the service's own token endpoint (\`${OAUTH_PATHS.token}\`). Clients authenticate with \`private_key_jwt\` (RFC 7523): a JWT signed with a key they registered, no client secret. Access tokens are RS256 JWTs (\`typ\` at+jwt). A route admits a token carrying any one of the scopes it lists. Discovery: \`${OAUTH_PATHS.discovery}\`.`,
          flows: {
            clientCredentials: {
              tokenUrl: OAUTH_PATHS.token,
              scopes: Object.fromEntries(ROLES.map((role) => [ROLE_SCOPE[role], SCOPE_WORDS[role]])),
            },
          },
        },
      },
    },
  };
}

const SCOPE_WORDS: Readonly<Record<(typeof ROLES)[number], string>> = {
  exchange: 'Role exchange: a registered data exchange issues and reads its own certificates.',
  auditor: 'Role auditor: reads any certificate and its audit trail.',
  admin: 'Role admin: revokes certificates and registers clients.',
};

let rendered: string | undefined;

/** The document's exact bytes, as committed in `openapi.json` and served (two-space indent, final newline). */
export function openApiDocumentText(): string {
  rendered ??= `${JSON.stringify(openApiDocument(), null, 2)}\n`;
  return rendered;
}
