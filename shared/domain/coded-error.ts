/**
 * An error that says what went wrong with a stable `code` that callers switch on; the message is
 * for people. Each kind of failure is a subclass with its own `name` and its closed set of codes.
 */
export abstract class CodedError<Code extends string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
