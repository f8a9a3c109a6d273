/**
 * What `bench/instructions.ts` runs under valgrind, bundled into one plain JavaScript file: `count`
 * verifications of the tokens in `file`, one way. `batch`: `verifyBatch` as `dcc verify <folder>`
 * calls it (verdicts only, on this thread). `raw`: `crypto.verify` over the same signing inputs
 * and signatures, in the floor's form (bench/raw-verify.ts). `essential`: the steps no verification
 * can skip and nothing else (`essentialSteps`, bench/raw-verify.ts). Exits non-zero if any token
 * fails to verify.
 */
import { readFileSync } from 'node:fs';
import { toP256PublicKey } from '#shared/crypto/ecdsa-p256.ts';
import type { PublicVerificationJwk } from '#shared/domain/signer.ts';
import { processIo } from '../cli/main.ts';
import { verifyBatch } from '../cli/verification.ts';
import { type RawInput, essentialSteps, rawInputOf, rawVerify } from './raw-verify.ts';

/** The file the driver reads: the tokens, the key that signed them, and when they are valid. */
export interface DriverInput {
  tokens: string[];
  jwk: PublicVerificationJwk;
  at: string;
}

/**
 * Tokens per `verifyBatch` call. A run verifies whole batches one after the other, as the timed
 * figure does, so that a run of more tokens repeats a shorter one's work exactly before going on:
 * the same arrays, the same collections, the same compiles. One batch of every token would size its
 * arrays by the count, and with them when the collector runs and when V8 re-optimizes, so
 * the two runs' difference would carry compiles that are not the extra tokens' work.
 */
const BATCH = 1024;

async function main(mode: string, count: number, file: string): Promise<number> {
  const { tokens, jwk, at } = JSON.parse(readFileSync(file, 'utf8')) as DriverInput;
  const token = (i: number): string => tokens[i % tokens.length] as string;
  const { kty, crv, x, y } = jwk;
  if (mode === 'raw') {
    const key = toP256PublicKey({ kty, crv, x, y });
    const inputs = tokens.map(rawInputOf);
    let verified = 0;
    for (let i = 0; i < count; i++) if (rawVerify(key, inputs[i % inputs.length] as RawInput)) verified += 1;
    return verified;
  }
  if (mode === 'essential') {
    const key = toP256PublicKey({ kty, crv, x, y });
    let verified = 0;
    for (let i = 0; i < count; i++) if (essentialSteps(key, token(i)) !== undefined) verified += 1;
    return verified;
  }
  if (mode === 'batch') {
    const settings = { keys: [jwk], at: new Date(at), clockSkewSeconds: 300 };
    // One io for the run, as dcc makes: each processIo() adds a listener to process.stdout.
    const io = processIo();
    let verified = 0;
    for (let from = 0; from < count; from += BATCH) {
      const items = Array.from({ length: Math.min(BATCH, count - from) }, (_, i) => ({ source: `certificate-${from + i}.jwt`, token: token(from + i) }));
      const results = await verifyBatch(items, settings, io, { certificates: false, threads: 1 });
      verified += results.filter((result) => result.verified).length;
    }
    return verified;
  }
  throw new Error(`unknown mode ${mode}`);
}

const [mode = '', count = '0', file = ''] = process.argv.slice(2);
main(mode, Number(count), file).then(
  (verified) => {
    process.stdout.write(`${verified}\n`);
    process.exit(verified === Number(count) ? 0 : 1);
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
