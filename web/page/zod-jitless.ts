import { config } from 'zod/mini';

/**
 * zod probes `new Function` to compile fast parsers. The page's CSP forbids eval (no
 * 'unsafe-eval', Trusted Types required), so the probe would only raise a violation report;
 * the interpreted parsers are used from the start instead. Imported first, before any schema.
 */
config({ jitless: true });
