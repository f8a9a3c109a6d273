import { type App, buildApp } from './app.ts';
import { loadConfig } from './config.ts';
import { mapStackTracesOnFirstUse } from './lazy-source-maps.ts';

// Before anything can fail: the stack traces in the function's logs name the sources.
mapStackTracesOnFirstUse(import.meta.url);

/**
 * The app of this Lambda container, built once at cold start from the function's environment:
 * the one place the app's configuration is read from `process.env`. A bad setting fails the
 * cold start with a message naming it. Only the entry points in `functions/` import this.
 */
export const productionApp: App = buildApp(loadConfig(process.env));
