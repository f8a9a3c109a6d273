import { describe, expect, it } from 'vitest';
import { codeMapOf, parseAnnotation } from '../../bench/instructions.ts';

// The shape of a callgrind_annotate report (valgrind 3.19), trimmed to the lines that matter.
const REPORT = `--------------------------------------------------------------------------------
Profiled target:  node --perf-basic-prof driver.mjs batch 8192 tokens.json (PID 14181, part 1)
Events recorded:  Ir
--------------------------------------------------------------------------------
Ir
--------------------------------------------------------------------------------
6,485,260,602 (100.0%)  PROGRAM TOTALS

--------------------------------------------------------------------------------
Ir                      file:function
--------------------------------------------------------------------------------
1,380,650,072 (21.29%)  ???:__ecp_nistz256_mul_montq [/usr/bin/node]
   65,577,707 ( 1.01%)  ???:v8::internal::JsonParser<unsigned char>::BuildJsonObject(v8::internal::JsonParser<unsigned char>::JsonContinuation const&, v8::base::SmallVector<v8::internal::JsonProperty, 16ul> const&) [/usr/bin/node]
   48,746,666 ( 0.75%)  ???:Builtins_StringIndexOf [/usr/bin/node]
   21,073,000 ( 0.32%)  ???:0x000000000d079f80 [???]
    3,009,000 ( 0.05%)  ???:0x000000000d06f350 [???]
    2,000,000 ( 0.03%)  ???:0x000000000d06f360 [???]
    1,500,000 ( 0.02%)  ???:0x0000000000000100 [???]
      900,000 ( 0.01%)  ???:v8::internal::compiler::(anonymous namespace)::SourcePositionWrapper::Reduce(v8::internal::compiler::Node*) [/usr/bin/node]
      800,000 ( 0.01%)  ./malloc/./malloc/malloc.c:_int_free [/usr/lib/x86_64-linux-gnu/libc.so.6]
    4,783,491 ( 0.07%)  ???:detail::sprp(unsigned long long, unsigned long long) [/usr/bin/node]
`;

const MAP = `d06f300 80 RegExp:^[0-9a-f]{64}$
d079f00 200 JS:*parseJsonStrict file:///tmp/driver.mjs:11229:25
d06f360 10 JS:~ file:///tmp/driver.mjs:20:1
`;

describe('the instruction counts of a callgrind_annotate report', () => {
  const counted = parseAnnotation(REPORT, codeMapOf(MAP));

  it('takes the program total, less the random search for the hash seed primes', () => {
    expect(counted.total).toBe(6_485_260_602 - 4_783_491);
    expect([...counted.byFunction.keys()]).not.toContain('detail::sprp');
  });

  it('names native functions without their argument lists, builtins and compiled JavaScript by the code map', () => {
    expect(Object.fromEntries(counted.byFunction)).toEqual({
      __ecp_nistz256_mul_montq: 1_380_650_072,
      'v8::internal::JsonParser<unsigned char>::BuildJsonObject': 65_577_707,
      'builtin StringIndexOf': 48_746_666,
      'parseJsonStrict (JS)': 21_073_000,
      'RegExp:^[0-9a-f]{64}$': 3_009_000,
      '(anonymous) (JS)': 2_000_000,
      '(unnamed code)': 1_500_000,
      'v8::internal::compiler::{anonymous}::SourcePositionWrapper::Reduce': 900_000,
      _int_free: 800_000,
    });
  });

  it('adds up the functions that share a name', () => {
    const twice = parseAnnotation(`${REPORT}   48,746,666 ( 0.75%)  ???:Builtins_StringIndexOf [/usr/bin/node]\n`, []);
    expect(twice.byFunction.get('builtin StringIndexOf')).toBe(2 * 48_746_666);
    // Without a code map, compiled code has no name.
    expect(twice.byFunction.get('(unnamed code)')).toBe(21_073_000 + 3_009_000 + 2_000_000 + 1_500_000);
  });

  it('refuses a report without a total', () => {
    expect(() => parseAnnotation('nothing here', [])).toThrow(/no total/);
  });
});
