import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64urlStrict, encodeBase64url } from '#shared/crypto/base64url.ts';
import { compactJws, parseCompactJwsStrict, signingInputOf } from '#shared/crypto/compact-jws.ts';
import { CryptoError } from '#shared/crypto/errors.ts';
import { parseJsonStrict } from '#shared/crypto/strict-json.ts';
import { codeOf } from './support/crypto-error-code.ts';

const utf8 = new TextEncoder();
const b64u = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');

describe('decodeBase64urlStrict', () => {
  it('round-trips every byte string with the encoder', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const text = encodeBase64url(bytes);
        expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(Buffer.from(decodeBase64urlStrict(text)).equals(Buffer.from(bytes))).toBe(true);
      }),
    );
  });

  it.each([
    ['padding', 'Zg==', 'jws-base64url-invalid'],
    ['standard-alphabet +', 'a+b_', 'jws-base64url-invalid'],
    ['standard-alphabet /', 'a/b_', 'jws-base64url-invalid'],
    ['a space', 'Zm9 v', 'jws-base64url-invalid'],
    ['a newline', 'Zm9v\n', 'jws-base64url-invalid'],
    ['a non-ASCII letter', 'Zm9vé', 'jws-base64url-invalid'],
    ['an impossible length', 'Zm9vY', 'jws-base64url-invalid'],
    ['non-zero unused bits (Zh decodes like Zg)', 'Zh', 'jws-base64url-non-canonical'],
    ['non-zero unused bits in a 3-char tail', 'Zm9', 'jws-base64url-non-canonical'],
  ] as const)('refuses %s', (_name, text, code) => {
    expect(codeOf(() => decodeBase64urlStrict(text))).toBe(code);
  });

  it('accepts exactly one text per byte string: every other text for the same bytes is refused', () => {
    // For a 1-byte value, 16 texts decode to it under lenient decoders; one is canonical.
    const accepted = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_']
      .map((c) => `Z${c}`)
      .filter((text) => codeOf(() => decodeBase64urlStrict(text)) === 'no-error');
    expect(accepted).toEqual(['ZA', 'ZQ', 'Zg', 'Zw']);
    expect(new Set(accepted.map((t) => decodeBase64urlStrict(t)[0])).size).toBe(4);
  });
});

describe('parseJsonStrict', () => {
  it('parses plain JSON', () => {
    expect(parseJsonStrict(utf8.encode('{"a":[1,{"b":"c"}],"d":null}'))).toEqual({ a: [1, { b: 'c' }], d: null });
  });

  it.each([
    ['a duplicate member', '{"alg":"ES256","alg":"none"}'],
    ['a duplicate written with an escape', '{"alg":"ES256","\\u0061lg":"none"}'],
    ['a duplicate in a nested object', '{"a":{"x":1,"y":[{"z":1}],"x":2}}'],
    ['a duplicate inside an array element', '[{"k":1,"k":1}]'],
  ])('refuses %s', (_name, json) => {
    expect(codeOf(() => parseJsonStrict(utf8.encode(json)))).toBe('json-duplicate-member');
  });

  it('does not confuse equal names in different objects, or names inside string values', () => {
    expect(parseJsonStrict(utf8.encode('{"a":{"a":1},"b":[{"a":2},{"a":3}],"c":"\\"a\\":1,"}'))).toBeTruthy();
  });

  it('refuses malformed UTF-8, a byte-order mark and non-JSON', () => {
    expect(codeOf(() => parseJsonStrict(Uint8Array.from([0x7b, 0xff, 0x7d])))).toBe('json-invalid');
    expect(codeOf(() => parseJsonStrict(Uint8Array.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d])))).toBe('json-invalid');
    expect(codeOf(() => parseJsonStrict(utf8.encode('{"a":1,}')))).toBe('json-invalid');
  });

  it('agrees with JSON.parse on every JSON value without duplicates', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        expect(parseJsonStrict(utf8.encode(text))).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseCompactJwsStrict', () => {
  const header = { alg: 'ES256', typ: 'vc+jwt', kid: 'k' };
  const payload = utf8.encode('{"hello":"world"}');
  const signature = Uint8Array.from({ length: 64 }, (_, i) => i);
  const input = signingInputOf(header, payload);
  const token = compactJws(input, signature);

  it('splits a well-formed token into header, payload, signature and signing input', () => {
    const parsed = parseCompactJwsStrict(token);
    expect(parsed.header).toEqual(header);
    expect(Buffer.from(parsed.payload).toString()).toBe('{"hello":"world"}');
    expect([...parsed.signature]).toEqual([...signature]);
    expect(Buffer.from(parsed.signingInput).toString('ascii')).toBe(input);
    expect(token.split('.')).toHaveLength(3);
  });

  const [h, p, s] = token.split('.') as [string, string, string];

  it.each([
    ['two parts', `${h}.${p}`, 'jws-not-compact'],
    ['four parts', `${h}.${p}.${s}.${s}`, 'jws-not-compact'],
    ['JWE-like five parts', `${h}.${p}.${s}.${s}.${s}`, 'jws-not-compact'],
    ['empty payload (detached)', `${h}..${s}`, 'jws-empty-part'],
    ['empty signature', `${h}.${p}.`, 'jws-empty-part'],
    ['empty header', `.${p}.${s}`, 'jws-empty-part'],
    ['the empty string', '', 'jws-not-compact'],
    ['padding on the payload', `${h}.${p}==.${s}`, 'jws-base64url-invalid'],
    ['padding on the signature', `${h}.${p}.${s}==`, 'jws-base64url-invalid'],
    ['a newline inside the payload', `${h}.${p.slice(0, 5)}\n${p.slice(5)}.${s}`, 'jws-base64url-invalid'],
    ['a space between parts', `${h}. ${p}.${s}`, 'jws-base64url-invalid'],
    ['a trailing newline', `${token}\n`, 'jws-base64url-invalid'],
    ['leading whitespace', ` ${token}`, 'jws-base64url-invalid'],
    ['standard base64 characters', `${h}.${p}.${s.replace(/-/g, '+').replace(/_/g, '/')}+`, 'jws-base64url-invalid'],
    ['a header that is not JSON', `${b64u('alg=ES256')}.${p}.${s}`, 'jws-header-invalid'],
    ['a header that is a JSON array', `${b64u('["ES256"]')}.${p}.${s}`, 'jws-header-invalid'],
    ['a header that is JSON null', `${b64u('null')}.${p}.${s}`, 'jws-header-invalid'],
    ['a header with a duplicate member', `${b64u('{"alg":"ES256","alg":"none"}')}.${p}.${s}`, 'jws-header-invalid'],
    ['a header that is not UTF-8', `${Buffer.from([0x7b, 0xc3, 0x28, 0x7d]).toString('base64url')}.${p}.${s}`, 'jws-header-invalid'],
  ] as const)('refuses %s', (_name, bad, code) => {
    expect(codeOf(() => parseCompactJwsStrict(bad))).toBe(code);
  });

  it('refuses a signature whose last character has non-zero unused bits', () => {
    // 64 bytes → 86 characters, the last carrying 4 unused bits; flip the lowest.
    const last = s.at(-1) ?? 'A';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = alphabet[alphabet.indexOf(last) ^ 1] ?? 'B';
    expect(Buffer.from(`${s.slice(0, -1)}${twin}`, 'base64url').equals(Buffer.from(signature))).toBe(true);
    expect(codeOf(() => parseCompactJwsStrict(`${h}.${p}.${s.slice(0, -1)}${twin}`))).toBe('jws-base64url-non-canonical');
  });

  it('refuses over-long tokens before splitting them', () => {
    expect(codeOf(() => parseCompactJwsStrict(`${h}.${'A'.repeat(300_000)}.${s}`))).toBe('jws-not-compact');
  });

  it('throws only CryptoError on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (text) => {
        try {
          parseCompactJwsStrict(text);
        } catch (error) {
          expect(error).toBeInstanceOf(CryptoError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('the fast paths fall back to the full checks', () => {
  // The rules decodeBase64urlStrict spelled out before its round-trip fast path: the reference.
  const byTheRules = (text: string): string => {
    if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return 'jws-base64url-invalid';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const rest = text.length % 4;
    const last = alphabet.indexOf(text.at(-1) ?? 'A');
    return rest !== 0 && (last & (rest === 2 ? 0x0f : 0x03)) !== 0 ? 'jws-base64url-non-canonical' : 'no-error';
  };

  it('base64url: the round trip accepts and refuses exactly what the rules do, with the same code', () => {
    // Characters Node's lenient decoder skips, maps or stops at, beside the alphabet.
    const unit = fc.constantFrom(...'AZaz09-_+/= \n\t.', 'é', 'Ł', '\u0141', '\u4e2d', '\ud800', '\u0000');
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 12 }), (text) => {
        const expected = byTheRules(text);
        expect(codeOf(() => decodeBase64urlStrict(text))).toBe(expected);
        if (expected === 'no-error') expect(Buffer.from(decodeBase64urlStrict(text)).equals(Buffer.from(text, 'base64url'))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    ['a colon inside the repeated name', '{"a:b":1,"a:b":2}'],
    ['an escaped quote before a colon inside a name', '{"a\\":":1,"a\\":":2}'],
    ['names ending in an escaped backslash', '{"a\\\\":1,"a\\\\":2}'],
    ['a repeated __proto__', '{"__proto__":{},"__proto__":{}}'],
    ['an escaped spelling in a nested object', '{"x":[{"b":{"ab":1,"a\\u0062":2}}]}'],
    ['a duplicate beside extra colons in string values', '{"u":"https://a:1","k":1,"v":"::","k":2}'],
    ['whitespace between a repeated name and its colon', '{"k" :1, "k"\r\n\t: 2}'],
  ])('strict JSON: the member count sends %s to the scan, which refuses it', (_name, json) => {
    expect(codeOf(() => parseJsonStrict(utf8.encode(json)))).toBe('json-duplicate-member');
  });

  it('strict JSON: refuses a duplicate at the bottom of deep nesting, and accepts the same depth without one', () => {
    const depth = 20_000;
    const deep = (inner: string) => utf8.encode(`${'{"a":'.repeat(depth)}${inner}${'}'.repeat(depth)}`);
    expect(codeOf(() => parseJsonStrict(deep('{"k":1,"k":2}')))).toBe('json-duplicate-member');
    expect(codeOf(() => parseJsonStrict(deep('{"k":1,"l":2}')))).toBe('no-error');
  });

  it('strict JSON: accepts names and strings full of colons, quotes and backslashes that repeat nothing', () => {
    const json = '{"a\\\\":"x:\\"y\\":z","a\\\\\\"":[":",{"a\\\\":"\\\\"}],"b":{"a\\\\":1}}';
    expect(parseJsonStrict(utf8.encode(json))).toEqual(JSON.parse(json));
  });

  /** `value` as JSON with whitespace from `spaces` (in turn) around every token: what JSON allows beyond JSON.stringify's output. */
  const spaced = (value: unknown, spaces: readonly string[]): string => {
    let turn = 0;
    const ws = (): string => spaces[turn++ % spaces.length] as string;
    const write = (v: unknown): string => {
      if (Array.isArray(v)) return `[${ws()}${v.map(write).join(`${ws()},${ws()}`)}${ws()}]`;
      if (typeof v === 'object' && v !== null) {
        const members = Object.entries(v).map(([name, member]) => `${JSON.stringify(name)}${ws()}:${ws()}${write(member)}`);
        return `{${ws()}${members.join(`${ws()},${ws()}`)}${ws()}}`;
      }
      return JSON.stringify(v);
    };
    return `${ws()}${write(value)}${ws()}`;
  };
  const spaces = fc.array(fc.constantFrom('', ' ', '\n', '\t', '\r\n  '), { minLength: 1, maxLength: 5 });

  it('strict JSON: accepts random JSON with whitespace around every token, names before their colons included', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), spaces, (value, ws) => {
        const json = spaced(value, ws);
        expect(parseJsonStrict(utf8.encode(json))).toEqual(JSON.parse(json));
      }),
      { numRuns: 300 },
    );
  });

  it('strict JSON: refuses a member written twice in random JSON with whitespace around every token', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), fc.string({ maxLength: 6 }), spaces, (value, name, ws) => {
        const key = JSON.stringify(name);
        const pair = `{${key}${ws[0]}:1${ws.at(-1)},${key}${ws.at(-1)}:${ws[0]}2}`;
        const json = `[${spaced(value, ws)},${pair}]`;
        expect(codeOf(() => parseJsonStrict(utf8.encode(json)))).toBe('json-duplicate-member');
      }),
      { numRuns: 300 },
    );
  });

  it('strict JSON: refuses an object with a member written twice wherever it is put in random JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), fc.string({ maxLength: 6 }), (value, name) => {
        const key = JSON.stringify(name);
        // A function, not a string: a name such as "$&" must not be read as a replacement pattern.
        const json = JSON.stringify({ outer: value, inner: [value] }).replace('"inner":', () => `"inner":{${key}:1,${key}:2},"x":`);
        expect(codeOf(() => parseJsonStrict(utf8.encode(json)))).toBe('json-duplicate-member');
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseCompactJwsStrict: headers seen lately are reused by their exact text', () => {
  const sig = b64u('s');
  const token = (header: string, payload = b64u('{"a":1}')) => `${b64u(header)}.${payload}.${sig}`;

  it('hands out the same frozen header for the same text, equal to a fresh parse', () => {
    const header = '{"alg":"ES256","typ":"vc+jwt","kid":"cache-1"}';
    const first = parseCompactJwsStrict(token(header)).header;
    const again = parseCompactJwsStrict(token(header)).header;
    expect(again).toBe(first);
    expect(Object.isFrozen(again)).toBe(true);
    expect(again).toEqual(JSON.parse(header));
    expect(() => {
      'use strict';
      (again as Record<string, unknown>)['kid'] = 'changed';
    }).toThrow(TypeError);
  });

  it('keeps no header with a member that is not a string, nor a long one: each parse is fresh and mutable', () => {
    for (const header of ['{"alg":"ES256","typ":"vc+jwt","kid":"k","n":1}', `{"alg":"ES256","typ":"vc+jwt","kid":"${'k'.repeat(400)}"}`]) {
      const first = parseCompactJwsStrict(token(header)).header;
      const again = parseCompactJwsStrict(token(header)).header;
      expect(again).not.toBe(first);
      expect(again).toEqual(first);
      expect(Object.isFrozen(again)).toBe(false);
    }
  });

  it('refuses a later part of a token with a remembered header exactly as with a fresh one', () => {
    const header = '{"alg":"ES256","typ":"vc+jwt","kid":"cache-2"}';
    const bad = token(header, 'Zh');
    // The payload fails before the header is kept: this first refusal comes from a fresh parse.
    const fresh = codeOf(() => parseCompactJwsStrict(bad));
    parseCompactJwsStrict(token(header));
    const remembered = codeOf(() => parseCompactJwsStrict(bad));
    expect(fresh).toBe('jws-base64url-non-canonical');
    expect(remembered).toBe(fresh);
    // A header text that differs by one character is its own entry, refused on its own merits.
    expect(codeOf(() => parseCompactJwsStrict(`${b64u(header)}x.${b64u('{}')}.${sig}`))).toMatch(/^jws-base64url-/);
  });

  it('gives the same results once older headers are replaced by newer ones', () => {
    const headers = Array.from({ length: 20 }, (_, i) => `{"alg":"ES256","typ":"vc+jwt","kid":"evict-${i}"}`);
    const before = headers.map((h) => parseCompactJwsStrict(token(h)).header);
    const after = headers.map((h) => parseCompactJwsStrict(token(h)).header);
    expect(after).toEqual(before);
    expect(after.map((h) => h['kid'])).toEqual(headers.map((_, i) => `evict-${i}`));
  });
});
