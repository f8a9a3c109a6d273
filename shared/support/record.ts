/**
 * Whether `value` is a plain JSON-style object: an object that is neither null nor an array (the
 * test JSON Schema's and zod's `object` make). Shared by every decoder of untrusted or stored
 * data. This module imports nothing, so every layer may use it.
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
