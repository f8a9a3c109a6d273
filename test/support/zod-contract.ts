import type * as z from 'zod/mini';
import { type InputContract, inputContract, REFUSED } from '#shared/domain/schemas/input-contract.ts';

/**
 * A contract that judges with `schema` itself: for tests of the handler chain, whose routes take
 * contracts only. A route of the service holds a zod-free predicate instead (`*-check.ts`).
 */
export function zodContract<T>(schema: z.ZodMiniType<T>): InputContract<T> {
  return inputContract(
    (value) => {
      const parsed = schema.safeParse(value);
      return parsed.success ? parsed.data : REFUSED;
    },
    async () => schema,
  );
}
