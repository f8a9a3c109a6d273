import type { Locale } from './locale.ts';

/**
 * Typed message catalogues: one object per audience (certificate terms, problem documents,
 * `dcc`, the page) holding an English and a Chinese table with the same keys. A message is a
 * string with `{name}` placeholders, or a plural `{ one?, other }` chosen by its `{count}` with
 * `Intl.PluralRules` (Chinese has one form, English two). Callers name a key and pass exactly
 * the placeholders its English text has; the compiler refuses a missing key or parameter, and
 * test/shared/i18n/catalogues.test.ts refuses a Chinese text whose placeholders differ.
 *
 * Hand-written on purpose: the page bundles these, and i18next (about 16 KB gzipped) or
 * intl-messageformat (about 10 KB) would add more than all the messages weigh, for features
 * (ICU select, nesting, back-ends) nothing here needs; dates, numbers, lists and plurals come
 * from the platform's `Intl` (see format.ts).
 */

/** A plural message: `other` always, `one` where the language distinguishes it. */
export interface PluralMessage {
  readonly one?: string;
  readonly other: string;
}

export type Message = string | PluralMessage;

/** A table of messages by key. */
export type Messages = Readonly<Record<string, Message>>;

/** The placeholder names of one template string, as a union (`'id' | 'count'`). */
export type PlaceholdersOf<S> = S extends `${string}{${infer Name}}${infer Rest}` ? Name | PlaceholdersOf<Rest> : never;

type MessagePlaceholders<M> = M extends string
  ? PlaceholdersOf<M>
  : M extends PluralMessage
    ? 'count' | PlaceholdersOf<M['other']> | (M['one'] extends string ? PlaceholdersOf<M['one']> : never)
    : never;

/** The parameters message `M` needs: one per placeholder. */
export type ParamsOf<M> = Readonly<Record<MessagePlaceholders<M>, string | number>>;

/** The rest arguments of a lookup: none for a message without placeholders. */
export type ParamArgs<M> = [MessagePlaceholders<M>] extends [never] ? [] : [params: ParamsOf<M>];

/** The same keys as the English table, each a message of the same kind. */
export type Translation<E extends Messages> = { readonly [K in keyof E]: E[K] extends string ? string : PluralMessage };

/** Both languages of one audience's messages. */
export interface Catalogue<E extends Messages> {
  readonly en: E;
  readonly 'zh-CN': Translation<E>;
}

/**
 * Declares a catalogue; the English table's literal types become the keys and placeholders that
 * lookups are checked against.
 */
export function defineCatalogue<const E extends Messages>(catalogue: { en: E; 'zh-CN': Translation<E> }): Catalogue<E> {
  return catalogue;
}

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9]*)\}/g;

/** The placeholder names used in a message, sorted (for the parity test). */
export function placeholdersIn(message: Message): string[] {
  const texts = typeof message === 'string' ? [message] : [message.other, ...(message.one === undefined ? [] : [message.one])];
  const names = new Set<string>(typeof message === 'string' ? [] : ['count']);
  for (const text of texts) for (const match of text.matchAll(PLACEHOLDER)) names.add(match[1] as string);
  return [...names].sort();
}

const pluralRules = new Map<Locale, Intl.PluralRules>();

function pluralOf(locale: Locale, count: number): Intl.LDMLPluralRule {
  let rules = pluralRules.get(locale);
  if (!rules) pluralRules.set(locale, (rules = new Intl.PluralRules(locale)));
  return rules.select(count);
}

/** Fills `{name}` placeholders; a placeholder without a parameter is a programming error. */
function fill(template: string, params: Readonly<Record<string, string | number>>): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) throw new TypeError(`message parameter ${name} is missing in "${template}"`);
    return String(value);
  });
}

/** Renders one message of a table in `locale`. */
export function renderMessage(locale: Locale, message: Message, params: Readonly<Record<string, string | number>> = {}): string {
  if (typeof message === 'string') return fill(message, params);
  const count = Number(params['count']);
  const form = pluralOf(locale, count) === 'one' && message.one !== undefined ? message.one : message.other;
  return fill(form, params);
}

/** A lookup function bound to one catalogue and one locale. */
export type Translate<E extends Messages> = <K extends keyof E & string>(key: K, ...params: ParamArgs<E[K]>) => string;

/** The lookup of `catalogue` in `locale`. */
export function translator<E extends Messages>(catalogue: Catalogue<E>, locale: Locale): Translate<E> {
  const table = catalogue[locale] as Messages;
  return (key, ...params) => renderMessage(locale, table[key] as Message, params[0] as Readonly<Record<string, string | number>> | undefined);
}

/**
 * A message chosen now and rendered later, in whichever language the reader turns out to want
 * (an error thrown deep in a use case, rendered by the HTTP layer for the request's
 * `Accept-Language`).
 */
export interface LocalizedText {
  /** The catalogue key, for logs and tests. */
  readonly key: string;
  readonly params: Readonly<Record<string, string | number>>;
  render(locale: Locale): string;
}

/** Defers `key` of `catalogue` with its parameters. */
export function deferred<E extends Messages>(catalogue: Catalogue<E>) {
  return <K extends keyof E & string>(key: K, ...params: ParamArgs<E[K]>): LocalizedText => {
    const values = (params[0] ?? {}) as Readonly<Record<string, string | number>>;
    return { key, params: values, render: (locale) => renderMessage(locale, (catalogue[locale] as Messages)[key] as Message, values) };
  };
}
