import { lstat, rm, writeFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { ASSERTION_ALGORITHMS, type AssertionAlgorithm } from '#shared/domain/oauth.ts';
import { generateClientKey } from '../client-key.ts';
import { contextOf, UsageError } from '../context.ts';
import { shown } from '../terminal-text.ts';

/**
 * `dcc keygen <name>`: a client's key pair. The private key (`<name>.pem`, PKCS#8, mode 0600)
 * stays with the client; the public key set (`<name>.jwks.json`, `kid` = RFC 7638 thumbprint)
 * is what the operator registers. No secret ever needs to travel.
 */

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw new UsageError(`cannot check ${path}: ${error.code ?? error.message}`);
    },
  );
}

/** Registers `dcc keygen`. */
export function register(program: Command): void {
  program
    .command('keygen')
    .description("generate a client's key pair: the private key to keep, the public key set to register")
    .argument('<name>', 'file name prefix (the client id, say): writes <name>.pem and <name>.jwks.json')
    .addOption(new Option('--alg <alg>', 'signature algorithm').choices(ASSERTION_ALGORITHMS).default('ES256'))
    .option('--json', 'print the key id and files as JSON')
    .action(async (name: string, options: { alg: AssertionAlgorithm; json?: boolean }, command: Command) => {
      const { io } = contextOf(command);
      const privateFile = `${name}.pem`;
      const jwksFile = `${name}.jwks.json`;
      // Both are checked first, so that nothing is written when either exists; `wx` below still
      // refuses a file that appeared in between.
      for (const file of [privateFile, jwksFile]) {
        if (await exists(file)) throw new UsageError(`${file} exists: dcc keygen never overwrites a key (choose another name, or move the old files away)`);
      }
      const { privateKeyPem, publicJwk } = generateClientKey(options.alg);
      try {
        await writeFile(privateFile, privateKeyPem, { mode: 0o600, flag: 'wx' });
      } catch (error) {
        throw new UsageError(`cannot write ${privateFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
      try {
        await writeFile(jwksFile, `${JSON.stringify({ keys: [publicJwk] }, null, 2)}\n`, { mode: 0o644, flag: 'wx' });
      } catch (error) {
        // A private key without its public key set would be a half-done pair: none is left.
        await rm(privateFile, { force: true });
        throw new UsageError(`cannot write ${jwksFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
      if (options.json) {
        io.stdout(`${JSON.stringify({ kid: publicJwk.kid, alg: publicJwk.alg, privateKey: privateFile, jwks: jwksFile }, null, 2)}\n`);
        return;
      }
      io.stdout(
        [
          `Key id       ${shown(publicJwk.kid)} (${options.alg})`,
          `Private key  ${shown(privateFile)} (mode 0600: keep it here, never send it)`,
          `Public keys  ${shown(jwksFile)} (send this to the operator to register)`,
          '',
        ].join('\n'),
      );
    });
}
