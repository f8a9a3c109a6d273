import type { core } from 'zod/mini';
import type { FieldProblem } from './errors.ts';

/**
 * Turns schema failures into the `errors` of a problem document: one entry per problem, each
 * naming its place in the input with an RFC 6901 JSON pointer and saying what is wrong in
 * plain words. zod's built-in English messages are rephrased from the issue's own fields;
 * messages that the schemas set themselves (formats, refinements) are kept.
 */

/** RFC 6901: `~` becomes `~0` and `/` becomes `~1`, in that order. */
export function escapePointerSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The JSON pointer of `path` below `base` (`''` is the whole document). */
export function toJsonPointer(path: readonly PropertyKey[], base = ''): string {
  return base + path.map((p) => `/${escapePointerSegment(typeof p === 'symbol' ? (p.description ?? '') : String(p))}`).join('');
}

type Issue = core.$ZodIssue;

const ARTICLE: Record<string, string> = {
  object: 'an object',
  array: 'an array',
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean',
  null: 'null',
};

function isMissing(issue: Issue): boolean {
  // zod omits the input from reported issues unless asked; its English message still says it.
  if ('input' in issue) return issue.input === undefined;
  return /received undefined$/.test(issue.message);
}

function quantity(n: number | bigint, origin: string): string {
  const count = Number(n);
  if (origin === 'string') return `${count} character${count === 1 ? '' : 's'}`;
  if (origin === 'array' || origin === 'set') return `${count} item${count === 1 ? '' : 's'}`;
  return String(n);
}

// zod's English defaults start like this; a message a schema set itself is kept as it is.
const ZOD_DEFAULT_MESSAGE = /^(Invalid|Too small|Too big|Unrecognized)\b/;

function messageOf(issue: Issue): string {
  if (!ZOD_DEFAULT_MESSAGE.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      if (isMissing(issue)) return 'is required';
      return `must be ${ARTICLE[issue.expected] ?? issue.expected}`;
    case 'too_small': {
      if (issue.minimum === 1 && (issue.origin === 'string' || issue.origin === 'array')) return 'must not be empty';
      const bound = quantity(issue.minimum, issue.origin);
      if (issue.origin === 'string' || issue.origin === 'array' || issue.origin === 'set') {
        return issue.exact ? `must have exactly ${bound}` : `must have at least ${bound}`;
      }
      return issue.inclusive === false ? `must be greater than ${bound}` : `must be at least ${bound}`;
    }
    case 'too_big': {
      const bound = quantity(issue.maximum, issue.origin);
      if (issue.origin === 'string' || issue.origin === 'array' || issue.origin === 'set') {
        return issue.exact ? `must have exactly ${bound}` : `must have at most ${bound}`;
      }
      return issue.inclusive === false ? `must be less than ${bound}` : `must be at most ${bound}`;
    }
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union':
      return 'does not match any of the accepted forms';
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    case 'invalid_format':
      return issue.format === 'regex' ? 'has an invalid format' : `must be a valid ${issue.format}`;
    default:
      return issue.message;
  }
}

/**
 * The problems of a failed parse, as RFC 6901 pointers below `base` with readable messages.
 * An unknown member is reported at the member itself (`/amount/rate`), one problem per member.
 */
export function zodIssuesToProblems(error: core.$ZodError, base = ''): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push({ pointer: toJsonPointer([...issue.path, key], base), message: 'is not an accepted member' });
      }
      continue;
    }
    problems.push({ pointer: toJsonPointer(issue.path, base), message: messageOf(issue) });
  }
  return problems;
}
