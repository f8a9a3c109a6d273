import * as z from 'zod';

/**
 * The service's configuration, read once per container from the environment. A missing or
 * malformed variable fails the cold start with a message naming it, rather than the first request.
 */
const ConfigSchema = z
  .object({
    DCC_TABLE_NAME: z.string().min(3).max(255),
    /** `kms` in AWS; `local` in local mode (a PKCS#8 key file instead of KMS). */
    DCC_SIGNER: z.enum(['kms', 'local']).default('kms'),
    DCC_KMS_KEY_ID: z.string().min(1).optional(),
    /** Key ids (ARNs) of retired KMS keys whose certificates must still verify. */
    DCC_RETIRED_KMS_KEY_IDS: z
      .string()
      .default('')
      .transform((s) => s.split(',').map((v) => v.trim()).filter(Boolean)),
    DCC_LOCAL_KEY_FILE: z.string().min(1).optional(),
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
  })
  .superRefine((c, ctx) => {
    if (c.DCC_SIGNER === 'kms' && !c.DCC_KMS_KEY_ID) {
      ctx.addIssue({ code: 'custom', path: ['DCC_KMS_KEY_ID'], message: 'required when DCC_SIGNER=kms' });
    }
    if (c.DCC_SIGNER === 'local' && !c.DCC_LOCAL_KEY_FILE) {
      ctx.addIssue({ code: 'custom', path: ['DCC_LOCAL_KEY_FILE'], message: 'required when DCC_SIGNER=local' });
    }
  });

export type Config = z.infer<typeof ConfigSchema>;

/** Parses the configuration; throws an Error naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
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
