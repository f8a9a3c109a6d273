import { CodedError } from '../domain/coded-error.ts';
import { DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS } from '../domain/oauth.ts';
import { isValidKeyName } from '../transparency/note.ts';

const SIGNERS = ['kms', 'local'] as const;

/** The levels Powertools' logger knows, in its spelling. */
const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;

/**
 * One setting: reads the variable's raw value (`undefined` when unset) and returns the setting,
 * or throws a {@link Refusal} saying what the value must be. Plain functions rather than a zod
 * schema: every function reads its configuration at cold start, and building a schema there
 * costs more than the check itself.
 */
type Setting<T> = (raw: string | undefined) => T;

/** What is wrong with one variable's value; {@link loadConfig} prefixes the variable's name. */
class Refusal extends CodedError<'setting-invalid'> {
  override readonly name = 'SettingRefusal';
  constructor(message: string) {
    super('setting-invalid', message);
  }
}

const refuse = (message: string): never => {
  throw new Refusal(message);
};

const present = (raw: string | undefined, whenMissing = 'required'): string => raw ?? refuse(whenMissing);

/** A string of `min` to `max` characters. */
function text(limits: { min: number; max?: number }): Setting<string> {
  return (raw) => {
    const value = present(raw);
    if (value.length < limits.min) refuse(`at least ${limits.min} character(s)`);
    if (limits.max !== undefined && value.length > limits.max) refuse(`at most ${limits.max} characters`);
    return value;
  };
}

/** One of `values`, spelt exactly. */
function oneOf<const V extends readonly string[]>(values: V): Setting<V[number]> {
  return (raw) => {
    const value = present(raw);
    return values.includes(value) ? (value as V[number]) : refuse(`one of ${values.join(', ')}`);
  };
}

/**
 * An absolute URL, without the whitespace around it and the tabs and line breaks inside it
 * (which the URL parser would drop silently).
 */
const url: Setting<string> = (raw) => {
  const trimmed = present(raw).trim();
  return URL.canParse(trimmed) ? trimmed.replace(/[\t\n\r]/g, '') : refuse('a URL');
};

/** A whole number from `min` to `max`, written as a decimal number. */
function integer(min: number, max: number): Setting<number> {
  return (raw) => {
    const value = Number(present(raw));
    return Number.isInteger(value) && value >= min && value <= max ? value : refuse(`an integer from ${min} to ${max}`);
  };
}

/** `setting`, or `undefined` when the variable is unset. */
function optional<T>(setting: Setting<T>): Setting<T | undefined> {
  return (raw) => (raw === undefined ? undefined : setting(raw));
}

/** `setting`, or `fallback` when the variable is unset. */
function withDefault<T>(setting: Setting<T>, fallback: T): Setting<T> {
  return (raw) => (raw === undefined ? fallback : setting(raw));
}

/**
 * The service's configuration: every setting the app reads, the transparency log's and the
 * Powertools ones included, named as the environment variables that carry them in Lambda. The
 * production entry parses `process.env` once at cold start; local mode, the benchmark and the
 * tests build their own record. A missing or malformed variable fails the cold start with a
 * message naming it, rather than the first request.
 */
const SETTINGS = {
  DCC_TABLE_NAME: text({ min: 3, max: 255 }),
  /** `kms` in AWS; `local` in local mode (a PKCS#8 key file instead of KMS). */
  DCC_SIGNER: withDefault(oneOf(SIGNERS), 'kms'),
  DCC_KMS_KEY_ID: optional(text({ min: 1 })),
  /** Key ids (ARNs) of retired KMS keys whose certificates must still verify. */
  DCC_RETIRED_KMS_KEY_IDS: (raw: string | undefined): string[] =>
    (raw ?? '').split(',').map((v) => v.trim()).filter(Boolean),
  DCC_LOCAL_KEY_FILE: optional(text({ min: 1 })),
  /**
   * The signature suite of certificates and status lists: `es256` (ECDSA P-256, a KMS
   * `ECC_NIST_P256` key or a P-256 key file) or `sm2` (SM2 with SM3, a KMS `SM2` key in the
   * China Regions or an SM2 key file). Verifiers accept both, by the published key's curve.
   */
  DCC_SIGNATURE_SUITE: withDefault(oneOf(['es256', 'sm2']), 'es256'),
  /** The certificate issuer (the VC `issuer`), a URL of the issuing authority. */
  DCC_ISSUER: url,
  /** Public base URL of the API, used to build status list URLs. No trailing slash. */
  DCC_PUBLIC_BASE_URL: (raw: string | undefined): string => url(raw).replace(/\/+$/, ''),
  /** Endpoint override for DynamoDB (DynamoDB Local); unset in AWS. */
  DCC_DYNAMODB_ENDPOINT: optional(url),
  DCC_CLOCK_SKEW_SECONDS: withDefault(integer(0, 3600), 300),
  DCC_MAX_VALIDITY_DAYS: withDefault(integer(1, 36600), 1830),
  /** How long a container remembers an exchange look-up (suspensions take effect within it). */
  DCC_EXCHANGE_CACHE_SECONDS: withDefault(integer(0, 3600), 60),
  DCC_STATUS_LIST_TTL_SECONDS: withDefault(integer(0, 86_400), 300),
  /**
   * The transparency log's origin and the name of its note key, e.g. `dcc.example.gov.cn/log`.
   * Required, with no default: it names the log's key forever, so a deployed stage must not
   * start under a placeholder (local mode passes its own explicitly).
   */
  DCC_LOG_ORIGIN: (raw: string | undefined): string => {
    const value = present(raw, 'required: it names the transparency log and its key for good');
    return isValidKeyName(value) ? value : refuse('a non-empty name with no "+" or whitespace');
  },
  /** How the log signs its checkpoints; follows `DCC_SIGNER` unless set. */
  DCC_LOG_SIGNER: optional(oneOf(SIGNERS)),
  /** The log's KMS key; only the integrator, which signs, needs it (see {@link logSigning}). */
  DCC_LOG_KMS_KEY_ID: optional(text({ min: 1 })),
  /**
   * The checkpoints' signed-note signature: `ed25519` (default), or `rfc6962` (an RFC 6962 tree
   * head signature with ECDSA P-256) where KMS has no Ed25519 keys (the China regions).
   */
  DCC_LOG_SIGNATURE: withDefault(oneOf(['ed25519', 'rfc6962']), 'ed25519'),
  DCC_LOG_KEY_FILE: optional(text({ min: 1 })),
  /** The access-token key (KMS `RSA_2048`); only the token endpoint and its JWKS need it (see {@link accessTokenSigning}). */
  DCC_ACCESS_TOKEN_KMS_KEY_ID: optional(text({ min: 1 })),
  /** Local mode's access-token key file (RSA, PKCS#8 PEM, created on first use). */
  DCC_ACCESS_TOKEN_KEY_FILE: optional(text({ min: 1 })),
  /** Lifetime of an access token, in seconds. */
  DCC_ACCESS_TOKEN_TTL_SECONDS: withDefault(integer(60, 86_400), DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS),
  POWERTOOLS_SERVICE_NAME: withDefault(text({ min: 1 }), 'dcc'),
  POWERTOOLS_METRICS_NAMESPACE: withDefault(text({ min: 1 }), 'DataComplianceCertificates'),
  /** Unset: Powertools' own default (and `AWS_LAMBDA_LOG_LEVEL` in Lambda). Any case. */
  POWERTOOLS_LOG_LEVEL: optional((raw) => oneOf(LOG_LEVELS)(raw?.toUpperCase())),
  /** `true` keeps metrics from being written (local mode, tests, the benchmark). */
  POWERTOOLS_METRICS_DISABLED: (raw: string | undefined): boolean =>
    ['1', 'true', 'yes', 'on'].includes((raw ?? '').trim().toLowerCase()),
  /** The region of the DynamoDB Local endpoint's client; in AWS the SDK takes the region itself. */
  AWS_REGION: withDefault(text({ min: 1 }), 'us-east-1'),
} satisfies Record<string, Setting<unknown>>;

type Settings = { -readonly [K in keyof typeof SETTINGS]: ReturnType<(typeof SETTINGS)[K]> };
type OptionalName = { [K in keyof Settings]: undefined extends Settings[K] ? K : never }[keyof Settings];

/** The parsed configuration; a setting that may be unset is an optional property. */
export type Config = { [K in Exclude<keyof Settings, OptionalName>]: Settings[K] } & { [K in OptionalName]?: Settings[K] };

/** The variables {@link loadConfig} reads, as strings (what a function's environment may hold). */
export type ConfigInput = { readonly [K in keyof typeof SETTINGS]?: string };

/** Parses the configuration from an environment-like record; throws an Error naming every bad variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const problems: string[] = [];
  const config: Partial<Record<keyof Settings, unknown>> = {};
  for (const name of Object.keys(SETTINGS) as (keyof Settings)[]) {
    try {
      const value = SETTINGS[name](env[name]);
      if (value !== undefined) config[name] = value;
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      problems.push(`${name}: ${error.message}`);
    }
  }
  // The key of the signer chosen.
  if (config.DCC_SIGNER === 'kms' && !config.DCC_KMS_KEY_ID) problems.push('DCC_KMS_KEY_ID: required when DCC_SIGNER=kms');
  if (config.DCC_SIGNER === 'local' && !config.DCC_LOCAL_KEY_FILE) problems.push('DCC_LOCAL_KEY_FILE: required when DCC_SIGNER=local');
  if (problems.length > 0) throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  return config as Config;
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
