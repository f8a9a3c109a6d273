import * as z from 'zod';
import { DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS } from '../domain/oauth.ts';
import { isValidKeyName } from '../transparency/note.ts';

const SIGNERS = ['kms', 'local'] as const;

/** The levels Powertools' logger knows, in its spelling. */
const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;

/**
 * The service's configuration: every setting the app reads, the transparency log's and the
 * Powertools ones included, named as the environment variables that carry them in Lambda. The
 * production entry parses `process.env` once at cold start; local mode, the benchmark and the
 * tests build their own record. A missing or malformed variable fails the cold start with a
 * message naming it, rather than the first request.
 */
const ConfigSchema = z
  .object({
    DCC_TABLE_NAME: z.string().min(3).max(255),
    /** `kms` in AWS; `local` in local mode (a PKCS#8 key file instead of KMS). */
    DCC_SIGNER: z.enum(SIGNERS).default('kms'),
    DCC_KMS_KEY_ID: z.string().min(1).optional(),
    /** Key ids (ARNs) of retired KMS keys whose certificates must still verify. */
    DCC_RETIRED_KMS_KEY_IDS: z
      .string()
      .default('')
      .transform((s) => s.split(',').map((v) => v.trim()).filter(Boolean)),
    DCC_LOCAL_KEY_FILE: z.string().min(1).optional(),
    /**
     * The signature suite of certificates and status lists: `es256` (ECDSA P-256, a KMS
     * `ECC_NIST_P256` key or a P-256 key file) or `sm2` (SM2 with SM3, a KMS `SM2` key in the
     * China Regions or an SM2 key file). Verifiers accept both, by the published key's curve.
     */
    DCC_SIGNATURE_SUITE: z.enum(['es256', 'sm2']).default('es256'),
    /** The certificate issuer (the VC `issuer`), a URL of the issuing authority. */
    DCC_ISSUER: z.url(),
    /** Public base URL of the API, used to build status list URLs. No trailing slash. */
    DCC_PUBLIC_BASE_URL: z.url().transform((s) => s.replace(/\/+$/, '')),
    /** Endpoint override for DynamoDB (DynamoDB Local); unset in AWS. */
    DCC_DYNAMODB_ENDPOINT: z.url().optional(),
    DCC_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(3600).default(300),
    DCC_MAX_VALIDITY_DAYS: z.coerce.number().int().min(1).max(36600).default(1830),
    /** How long a container remembers an exchange look-up (suspensions take effect within it). */
    DCC_EXCHANGE_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
    DCC_STATUS_LIST_TTL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
    /**
     * The transparency log's origin and the name of its note key, e.g. `dcc.example.gov.cn/log`.
     * Required, with no default: it names the log's key forever, so a deployed stage must not
     * start under a placeholder (local mode passes its own explicitly).
     */
    DCC_LOG_ORIGIN: z
      .string({ error: (issue) => (issue.input === undefined ? 'required: it names the transparency log and its key for good' : undefined) })
      .refine(isValidKeyName, 'a non-empty name with no "+" or whitespace'),
    /** How the log signs its checkpoints; follows `DCC_SIGNER` unless set. */
    DCC_LOG_SIGNER: z.enum(SIGNERS).optional(),
    /** The log's KMS key; only the integrator, which signs, needs it (see {@link logSigning}). */
    DCC_LOG_KMS_KEY_ID: z.string().min(1).optional(),
    /**
     * The checkpoints' signed-note signature: `ed25519` (default), or `rfc6962` (an RFC 6962 tree
     * head signature with ECDSA P-256) where KMS has no Ed25519 keys (the China regions).
     */
    DCC_LOG_SIGNATURE: z.enum(['ed25519', 'rfc6962']).default('ed25519'),
    DCC_LOG_KEY_FILE: z.string().min(1).optional(),
    /** The access-token key (KMS `RSA_2048`); only the token endpoint and its JWKS need it (see {@link accessTokenSigning}). */
    DCC_ACCESS_TOKEN_KMS_KEY_ID: z.string().min(1).optional(),
    /** Local mode's access-token key file (RSA, PKCS#8 PEM, created on first use). */
    DCC_ACCESS_TOKEN_KEY_FILE: z.string().min(1).optional(),
    /** Lifetime of an access token, in seconds. */
    DCC_ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS),
    POWERTOOLS_SERVICE_NAME: z.string().min(1).default('dcc'),
    POWERTOOLS_METRICS_NAMESPACE: z.string().min(1).default('DataComplianceCertificates'),
    /** Unset: Powertools' own default (and `AWS_LAMBDA_LOG_LEVEL` in Lambda). */
    POWERTOOLS_LOG_LEVEL: z
      .string()
      .transform((s) => s.toUpperCase())
      .pipe(z.enum(LOG_LEVELS))
      .optional(),
    /** `true` keeps metrics from being written (local mode, tests, the benchmark). */
    POWERTOOLS_METRICS_DISABLED: z
      .string()
      .transform((s) => ['1', 'true', 'yes', 'on'].includes(s.trim().toLowerCase()))
      .default(false),
    /** The region of the DynamoDB Local endpoint's client; in AWS the SDK takes the region itself. */
    AWS_REGION: z.string().min(1).default('us-east-1'),
  })
  .superRefine((c, ctx) => {
    if (c.DCC_SIGNER === 'kms' && !c.DCC_KMS_KEY_ID) {
      ctx.addIssue({ code: 'custom', path: ['DCC_KMS_KEY_ID'], message: 'required when DCC_SIGNER=kms' });
    }
    if (c.DCC_SIGNER === 'local' && !c.DCC_LOCAL_KEY_FILE) {
      ctx.addIssue({ code: 'custom', path: ['DCC_LOCAL_KEY_FILE'], message: 'required when DCC_SIGNER=local' });
    }
  });

/** The parsed configuration. */
export type Config = z.infer<typeof ConfigSchema>;

/** The variables {@link loadConfig} reads, as strings (what a function's environment may hold). */
export type ConfigInput = { readonly [K in keyof z.input<typeof ConfigSchema>]?: string };

/** Parses the configuration from an environment-like record; throws an Error naming every bad variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${detail}`);
  }
  return parsed.data;
}

/** The URL of status list `listId`. */
export function statusListUrl(config: Pick<Config, 'DCC_PUBLIC_BASE_URL'>, listId: string): string {
  return `${config.DCC_PUBLIC_BASE_URL}/v1/status-lists/${listId}`;
}

/** How the transparency log signs its checkpoints. */
export type LogSigning =
  | { kind: 'kms'; origin: string; signature: 'ed25519' | 'rfc6962'; keyId: string }
  | { kind: 'local'; origin: string; signature: 'ed25519' | 'rfc6962'; keyFile: string };

/**
 * The log key's settings. Checked here rather than at parse time because only the integrator
 * signs: the API functions, which share the configuration, are not given the log key at all.
 */
export function logSigning(
  config: Pick<Config, 'DCC_SIGNER' | 'DCC_LOG_SIGNER' | 'DCC_LOG_ORIGIN' | 'DCC_LOG_KMS_KEY_ID' | 'DCC_LOG_KEY_FILE'> &
    Partial<Pick<Config, 'DCC_LOG_SIGNATURE'>>,
): LogSigning {
  const kind = config.DCC_LOG_SIGNER ?? config.DCC_SIGNER;
  const signature = config.DCC_LOG_SIGNATURE ?? 'ed25519';
  if (kind === 'kms') {
    if (!config.DCC_LOG_KMS_KEY_ID) throw new Error('Invalid configuration: DCC_LOG_KMS_KEY_ID: required when the log signs with KMS');
    return { kind, origin: config.DCC_LOG_ORIGIN, signature, keyId: config.DCC_LOG_KMS_KEY_ID };
  }
  if (!config.DCC_LOG_KEY_FILE) throw new Error('Invalid configuration: DCC_LOG_KEY_FILE: required when the log signs locally');
  return { kind, origin: config.DCC_LOG_ORIGIN, signature, keyFile: config.DCC_LOG_KEY_FILE };
}

/** How access tokens are signed: with the same kind of key as certificates (KMS or a local file). */
export type AccessTokenSigning = { kind: 'kms'; keyId: string } | { kind: 'local'; keyFile: string };

/**
 * The access-token key's settings. Checked on use rather than at parse time because only the token
 * endpoint and its JWKS use the key: the other functions are not given it.
 */
export function accessTokenSigning(
  config: Pick<Config, 'DCC_SIGNER' | 'DCC_ACCESS_TOKEN_KMS_KEY_ID' | 'DCC_ACCESS_TOKEN_KEY_FILE'>,
): AccessTokenSigning {
  if (config.DCC_SIGNER === 'kms') {
    if (!config.DCC_ACCESS_TOKEN_KMS_KEY_ID) {
      throw new Error('Invalid configuration: DCC_ACCESS_TOKEN_KMS_KEY_ID: required to sign access tokens with KMS');
    }
    return { kind: 'kms', keyId: config.DCC_ACCESS_TOKEN_KMS_KEY_ID };
  }
  if (!config.DCC_ACCESS_TOKEN_KEY_FILE) throw new Error('Invalid configuration: DCC_ACCESS_TOKEN_KEY_FILE: required to sign access tokens locally');
  return { kind: 'local', keyFile: config.DCC_ACCESS_TOKEN_KEY_FILE };
}
