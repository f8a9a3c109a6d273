import { describe, expect, it } from 'vitest';
import { run } from './fake-kms-key.ts';

/**
 * `run` feeds a command its input on stdin. A command that exits without reading it closes the
 * pipe under the write, and the EPIPE must not escape as an unhandled error (vitest fails a run
 * on one, whichever test happens to be running): the command's exit code decides.
 */
describe('run', () => {
  // Far more than a pipe buffers, so the write is still under way when the command exits.
  const unread = Buffer.alloc(8 * 1024 * 1024, 0x61);

  it('resolves with the output of a command that exits 0 without reading its input', async () => {
    await expect(run('sh', ['-c', 'printf done'], unread)).resolves.toEqual(Buffer.from('done'));
  });

  it('rejects with the exit code of a command that fails without reading its input', async () => {
    await expect(run('sh', ['-c', 'echo refused >&2; exit 3'], unread)).rejects.toThrow(/exited 3: refused/);
  });

  it('feeds the input to a command that reads it', async () => {
    await expect(run('wc', ['-c'], unread)).resolves.toSatisfy((out: Buffer) => out.toString().trim() === String(unread.length));
  });
});
