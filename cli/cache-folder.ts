import { isAbsolute, join } from 'node:path';

/**
 * dcc's own cache folder, where it keeps what only saves work between runs (access tokens, the
 * compiled program): `$XDG_CACHE_HOME/dcc` when that is an absolute path (the XDG Base Directory
 * rule: a relative one is ignored), else `$HOME/.cache/dcc` when `HOME` is absolute. Undefined
 * when the environment names neither: there is no fall-back to the system's temporary folder.
 */
export function dccCacheFolder(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const xdg = env['XDG_CACHE_HOME'];
  if (xdg && isAbsolute(xdg)) return join(xdg, 'dcc');
  const home = env['HOME'];
  return home && isAbsolute(home) ? join(home, '.cache', 'dcc') : undefined;
}
