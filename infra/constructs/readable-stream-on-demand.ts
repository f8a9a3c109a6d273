/**
 * What a Lambda bundle gives `@middy/core` for its import of `node:stream/web` (the `alias` of
 * `lambda-bundle.ts`).
 *
 * middy imports `ReadableStream` from there at the top of its module, and uses it in one place:
 * `body instanceof ReadableStream`, in the branch that streams a response, which our functions
 * never take. Importing `node:stream/web` makes Node load and compile its web streams, the
 * message ports they transfer through and their compression streams, nine internal modules that
 * nothing else at a start-up needs: importing it after the rest of a function's start-up took a
 * median 1.3 ms on Node 20 and 2.2 ms on Node 24, Lambda's runtime (15 fresh processes). This class
 * answers the same `instanceof` through the global `ReadableStream`, which Node loads the first
 * time it is read, so the streams load only if a stream is ever tested.
 *
 * `test/infra/readable-stream-on-demand.test.ts` checks that middy still uses the name for that
 * test alone and that nothing else in a function's bundle imports `node:stream/web`.
 */
export class ReadableStream {
  static [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof globalThis.ReadableStream;
  }
}
