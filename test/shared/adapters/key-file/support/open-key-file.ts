/**
 * Opens (or creates) a local signing key file in its own process and prints the key's kid:
 * lets the tests start several processes on one key file at the same moment.
 * Usage: node --import tsx test/shared/adapters/key-file/support/open-key-file.ts <path>
 */
import { LocalCertificateSigner } from '#shared/adapters/key-file/certificate-signer.ts';

const path = process.argv[2];
if (path === undefined) throw new TypeError('usage: open-key-file.ts <path>');
const signer = await LocalCertificateSigner.fromKeyFile(path);
process.stdout.write(`${(await signer.publicJwk()).kid}\n`);
