import type { Locale } from '../i18n/locale.ts';
import type { LocalizedText } from '../i18n/translate.ts';

/** One problem at one place in the input, named by an RFC 6901 JSON pointer. */
export interface FieldProblem {
  pointer: string;
  message: string;
  /** Stable machine-readable code for the violated rule, where there is one. */
  code?: string;
}

/** What a {@link CodedError} may carry besides its code and message. */
export interface CodedErrorOptions {
  cause?: unknown;
  /** The places in the input that are wrong, for errors the caller can fix. */
  errors?: readonly FieldProblem[];
  /**
   * The same request may succeed if it is simply sent again: nothing was written and the
   * failure does not depend on the input (a collision of freshly drawn values, a busy
   * dependency). The HTTP layer answers such errors with 503 and Retry-After.
   */
  retryable?: boolean;
}

/**
 * The one base of every error the service throws on purpose. It says what went wrong with a
 * stable `code` that callers switch on; the message is for people. Each kind of failure is a
 * subclass with its own `name` and its own closed set of codes (a union type), so that
 * `instanceof` and `code` together say exactly what happened.
 *
 * How an error reaches a client is decided in one place, the HTTP layer's problem catalog: the
 * codes of `DomainError` (and of the HTTP layer's own refusals) are the caller's to fix and are
 * answered with their catalog status; a retryable error is a 503; any other error is the
 * service's own fault and is a 500 that reveals nothing.
 */
export abstract class CodedError<Code extends string = string> extends Error {
  abstract override readonly name: string;
  readonly errors: readonly FieldProblem[];
  readonly retryable: boolean;
  /** The message as a catalogue entry, when it was given as one (shared/i18n/messages/problems.ts). */
  readonly localized: LocalizedText | null;

  /**
   * `message` is a catalogue entry wherever a person may read it in their own language (a
   * problem document's `detail`); `Error.message` is then its English rendering, for logs.
   */
  constructor(
    readonly code: Code,
    message: string | LocalizedText,
    options: CodedErrorOptions = {},
  ) {
    super(typeof message === 'string' ? message : message.render('en'), options.cause === undefined ? undefined : { cause: options.cause });
    this.localized = typeof message === 'string' ? null : message;
    this.errors = options.errors ?? [];
    this.retryable = options.retryable ?? false;
  }

  /** The message in `locale`; a plain-string message reads the same in every language. */
  messageIn(locale: Locale): string {
    return this.localized?.render(locale) ?? this.message;
  }
}
