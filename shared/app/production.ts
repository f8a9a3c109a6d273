import type { HttpDeps } from '../http/handler.ts';
import { loadConfig } from './config.ts';
import { mapStackTracesOnFirstUse } from './lazy-source-maps.ts';
import { type Container, buildContainer, httpDeps } from './container.ts';

// Before anything can fail: the stack traces in the function's logs name the sources.
mapStackTracesOnFirstUse(import.meta.url);

/**
 * This Lambda container, built once at cold start from the function's environment: the one place
 * the app's configuration is read from `process.env`. A bad setting fails the cold start with a
 * message naming it. Only the entry points in `functions/` import this module.
 */
const container: Container = buildContainer(loadConfig(process.env));

/**
 * The app of this container as one function uses it: the handler chain's dependencies and the
 * `parts` (of `container.ts` and `parts/*.ts`) its route takes, built now. Naming the parts here, rather than building
 * the whole app, keeps every other part and its adapters out of the function's bundle.
 */
export function productionApp<const P extends Record<string, (c: Container) => unknown>>(
  parts: P,
): HttpDeps & { [K in keyof P]: ReturnType<P[K]> } {
  const app: Record<string, unknown> = { ...httpDeps(container) };
  for (const [name, part] of Object.entries(parts)) app[name] = part(container);
  return app as HttpDeps & { [K in keyof P]: ReturnType<P[K]> };
}
