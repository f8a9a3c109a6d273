import type { Command } from 'commander';
import { DISCLOSABLE_CLAIMS, type DisclosableClaim } from '#shared/domain/schemas/credential-terms.ts';
import { PresentationError, presentCertificate } from '#shared/domain/sd-jwt/certificate-sd-jwt.ts';
import type { HolderPrivateJwk } from '#shared/domain/sd-jwt/sd-jwt.ts';
import { addApiOptions, type ApiOptions, callApi, renderProblem } from '../api-client.ts';
import { contextOf, ExitCode, setExitCode, UsageError } from '../context.ts';
import { readText } from '../inputs.ts';
import { certificateIdArgument } from './get.ts';

/**
 * `dcc sd-jwt <id>`: an exchange obtains the selectively disclosable form of its certificate;
 * `dcc present <sd-jwt>`: its holder derives a presentation that discloses only the chosen claims.
 */

interface PresentOptions {
  disclose?: string;
  holderKey?: string;
  aud?: string;
  nonce?: string;
}

/** `--disclose amount,provider`: the claim names, each one of {@link DISCLOSABLE_CLAIMS}. @throws {UsageError} */
export function disclosedClaims(value: string | undefined): DisclosableClaim[] {
  if (value === undefined || value.trim() === '') return [];
  const names = value.split(',').map((n) => n.trim());
  for (const name of names) {
    if (!(DISCLOSABLE_CLAIMS as readonly string[]).includes(name)) {
      throw new UsageError(`--disclose takes ${DISCLOSABLE_CLAIMS.join(', ')}; not ${name}`);
    }
  }
  return names as DisclosableClaim[];
}

/** A holder's private P-256 JWK from a file. @throws {UsageError} */
async function holderKeyFrom(path: string, io: Parameters<typeof readText>[1]): Promise<HolderPrivateJwk> {
  let jwk: unknown;
  try {
    jwk = JSON.parse(await readText(path, io));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${path} is not JSON`);
  }
  const k = jwk as Record<string, unknown> | null;
  if (!k || k['kty'] !== 'EC' || k['crv'] !== 'P-256' || typeof k['x'] !== 'string' || typeof k['y'] !== 'string' || typeof k['d'] !== 'string') {
    throw new UsageError(`${path} is not a private EC P-256 JWK (kty, crv, x, y, d)`);
  }
  return { kty: 'EC', crv: 'P-256', x: k['x'], y: k['y'], d: k['d'] };
}

/** The SD-JWT in a file: the bare `…~…~` text, or the service's `{"sdJwt": …}` answer. */
function sdJwtFrom(text: string, source: string): string {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return trimmed;
  try {
    const value = (JSON.parse(trimmed) as { sdJwt?: unknown } | null)?.sdJwt;
    if (typeof value === 'string') return value;
  } catch {
    // Reported below.
  }
  throw new UsageError(`${source} is neither an SD-JWT nor a JSON object with a string "sdJwt"`);
}

/** Registers `dcc present` and `dcc sd-jwt`. */
export function register(program: Command): void {
  program
    .command('present')
    .description('derive a presentation of a selectively disclosable certificate that shows only the chosen claims')
    .argument('<sd-jwt|->', 'the SD-JWT as issued (the text, or the {"sdJwt": …} answer of dcc sd-jwt --json), or - for stdin')
    .option('--disclose <claims>', `comma-separated claims to disclose, of ${DISCLOSABLE_CLAIMS.join(', ')} (default: none)`)
    .option('--holder-key <file>', "the holder's private P-256 JWK, for a certificate bound to it (with --aud and --nonce)")
    .option('--aud <audience>', 'the verifier the presentation is for')
    .option('--nonce <nonce>', 'the fresh value the verifier gave for this presentation')
    .addHelpText('after', '\nThe number, validity, exchange, compliance result and status entry are always shown.')
    .action(async (path: string, options: PresentOptions, command: Command) => {
      const { io } = contextOf(command);
      const disclose = disclosedClaims(options.disclose);
      const binding = [options.holderKey, options.aud, options.nonce];
      if (binding.some((v) => v !== undefined) && binding.some((v) => v === undefined)) {
        throw new UsageError('--holder-key, --aud and --nonce go together');
      }
      const sdJwt = sdJwtFrom(await readText(path, io), path === '-' ? 'stdin' : path);
      const keyBinding =
        options.holderKey !== undefined && options.aud !== undefined && options.nonce !== undefined
          ? { privateJwk: await holderKeyFrom(options.holderKey, io), aud: options.aud, nonce: options.nonce, iat: io.now() }
          : undefined;
      try {
        io.stdout(`${await presentCertificate(sdJwt, { disclose, ...(keyBinding ? { keyBinding } : {}) })}\n`);
      } catch (error) {
        if (error instanceof PresentationError) throw new UsageError(error.message);
        throw error;
      }
    });

  addApiOptions(
    program
      .command('sd-jwt')
      .description('obtain the selectively disclosable form of a certificate (as the exchange that issued it)')
      .argument('<id>', 'certificate id (UUID, or urn:uuid:…)')
      .option('--holder-jwk <file>', "bind the form to the holder's public P-256 JWK (cnf)"),
  ).action(async (value: string, options: ApiOptions & { holderJwk?: string }, command: Command) => {
    const context = contextOf(command);
    const { io } = context;
    const id = certificateIdArgument(value);
    let body: object = {};
    if (options.holderJwk !== undefined) {
      try {
        body = { holderJwk: JSON.parse(await readText(options.holderJwk, io)) as unknown };
      } catch (error) {
        if (error instanceof UsageError) throw error;
        throw new UsageError(`${options.holderJwk} is not JSON`);
      }
    }
    const response = await callApi(io, options, 'POST', `/v1/certificates/${id}/sd-jwt`, body);
    if (response.status >= 400) {
      io.stderr(renderProblem(response));
      setExitCode(context, ExitCode.failed);
      return;
    }
    const sdJwt = (response.body as { sdJwt?: unknown } | null)?.sdJwt;
    io.stdout(options.json ? `${JSON.stringify(response.body, null, 2)}\n` : `${String(sdJwt)}\n`);
  });
}
