import { SpilledText } from '../../../cli/spilled-text.ts';

/**
 * A run holding report text in a temporary file under the folder given as its argument, stopped
 * only from outside: it says "spilled" once the file exists, then waits.
 */
const [root] = process.argv.slice(2);
if (root === undefined) throw new Error('usage: spill-and-wait.ts <folder>');
const text = new SpilledText(root, 10);
text.append('{"n":1,"source":"证书.jwt"}');
process.stdout.write('spilled\n');
setInterval(() => undefined, 60_000);
