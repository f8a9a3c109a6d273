import * as z from 'zod';
import { isValidKeyName } from '../transparency/note.ts';

/**
 * The transparency log's settings, read from the environment when the log is first used (so
 * functions that never touch the log do not need them).
 */
const LogConfigSchema = z
  .object({
    /** The log's origin and the name of its note key, e.g. `dcc.example.gov.cn/log`. */
    DCC_LOG_ORIGIN: z.string().refine(isValidKeyName, 'a non-empty name with no "+" or whitespace').default('dcc.localhost/log'),
    /** `kms` in AWS, `local` in local mode; follows `DCC_SIGNER` unless set. */
    DCC_LOG_SIGNER: z.enum(['kms', 'local']).optional(),
    DCC_SIGNER: z.enum(['kms', 'local']).default('kms'),
    DCC_LOG_KMS_KEY_ID: z.string().min(1).optional(),
    DCC_LOG_KEY_FILE: z.string().min(1).optional(),
  })
  .transform((c) => ({
    origin: c.DCC_LOG_ORIGIN,
    signer: c.DCC_LOG_SIGNER ?? c.DCC_SIGNER,
    kmsKeyId: c.DCC_LOG_KMS_KEY_ID,
    keyFile: c.DCC_LOG_KEY_FILE,
  }))
  .superRefine((c, ctx) => {
    if (c.signer === 'kms' && !c.kmsKeyId) ctx.addIssue({ code: 'custom', path: ['DCC_LOG_KMS_KEY_ID'], message: 'required when the log signs with KMS' });
    if (c.signer === 'local' && !c.keyFile) ctx.addIssue({ code: 'custom', path: ['DCC_LOG_KEY_FILE'], message: 'required when the log signs locally' });
  });

export type LogConfig = z.infer<typeof LogConfigSchema>;

/** Parses the log's settings; throws an Error naming every bad variable. */
export function loadLogConfig(env: Record<string, string | undefined> = process.env): LogConfig {
  const parsed = LogConfigSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`Invalid log configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}
