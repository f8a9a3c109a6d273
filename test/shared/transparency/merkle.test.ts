import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EMPTY_ROOT,
  MerkleError,
  arrayHasher,
  consistencyProof,
  inclusionProof,
  leafHash,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
} from '#shared/transparency/merkle.ts';

const FIXTURES = new URL('../../fixtures/merkle/', import.meta.url).pathname;

function jsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return jsonFiles(path);
    return name.endsWith('.json') ? [path] : [];
  });
}

const b64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));
const hex = (h: Uint8Array): string => Buffer.from(h).toString('hex');

interface InclusionVector { leafIdx: number; treeSize: number; root: string; leafHash: string; proof: string[] | null; desc: string; wantErr: boolean }
interface ConsistencyVector { size1: number; size2: number; root1: string; root2: string; proof: string[] | null; desc: string; wantErr: boolean }

const inclusion = jsonFiles(join(FIXTURES, 'inclusion')).map((f) => ({ file: f.slice(FIXTURES.length), v: JSON.parse(readFileSync(f, 'utf8')) as InclusionVector }));
const consistency = jsonFiles(join(FIXTURES, 'consistency')).map((f) => ({ file: f.slice(FIXTURES.length), v: JSON.parse(readFileSync(f, 'utf8')) as ConsistencyVector }));

const LEAF_INPUTS = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
const leaves = LEAF_INPUTS.map((h) => leafHash(new Uint8Array(Buffer.from(h, 'hex'))));

describe('transparency-dev inclusion vectors', () => {
  it('are all there', () => {
    expect(inclusion).toHaveLength(98);
    expect(inclusion.filter((c) => !c.v.wantErr)).toHaveLength(6);
    expect(inclusion.filter((c) => c.v.wantErr)).toHaveLength(92);
  });

  it.each(inclusion.map((c) => [c.file, c.v] as const))('%s', (_file, v) => {
    const run = () => verifyInclusion(v.leafIdx, v.treeSize, b64(v.leafHash), (v.proof ?? []).map(b64), b64(v.root));
    if (v.wantErr) expect(run).toThrow(MerkleError);
    else expect(run).not.toThrow();
  });
});

describe('transparency-dev consistency vectors', () => {
  it('are all there', () => {
    expect(consistency).toHaveLength(98);
    expect(consistency.filter((c) => !c.v.wantErr)).toHaveLength(6);
    expect(consistency.filter((c) => c.v.wantErr)).toHaveLength(92);
  });

  it.each(consistency.map((c) => [c.file, c.v] as const))('%s', (_file, v) => {
    const run = () => verifyConsistency(v.size1, v.size2, (v.proof ?? []).map(b64), b64(v.root1), b64(v.root2));
    if (v.wantErr) expect(run).toThrow(MerkleError);
    else expect(run).not.toThrow();
  });
});

describe('tree hashing', () => {
  it('gives the published roots of the empty tree and of all eight leaves', () => {
    expect(hex(EMPTY_ROOT)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(rootFromLeafHashes([]))).toBe(hex(EMPTY_ROOT));
    expect(hex(rootFromLeafHashes(leaves))).toBe('5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328');
  });

  it('generates exactly the happy-path proofs of the vectors', async () => {
    const happyInclusion = inclusion.filter((c) => !c.v.wantErr && c.file.match(/^inclusion\/[0-9]\//));
    expect(happyInclusion.length).toBeGreaterThan(3);
    for (const { v } of happyInclusion) {
      const tree = leaves.slice(0, v.treeSize);
      const proof = await inclusionProof(v.leafIdx, v.treeSize, arrayHasher(tree));
      expect(proof.map((p) => Buffer.from(p).toString('base64'))).toEqual(v.proof ?? []);
      expect(Buffer.from(rootFromLeafHashes(tree)).toString('base64')).toBe(v.root);
    }
    const happyConsistency = consistency.filter((c) => !c.v.wantErr && c.file.match(/^consistency\/[0-9]\//));
    expect(happyConsistency.length).toBeGreaterThan(3);
    for (const { v } of happyConsistency) {
      const proof = await consistencyProof(v.size1, v.size2, arrayHasher(leaves.slice(0, v.size2)));
      expect(proof.map((p) => Buffer.from(p).toString('base64'))).toEqual(v.proof ?? []);
    }
  });

  it('generates proofs that verify, for every index and pair of sizes of random trees', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 70 }), fc.nat(), fc.nat(), async (size, a, b) => {
        const tree = Array.from({ length: size }, (_, i) => leafHash(Uint8Array.of(i, size)));
        const hasher = arrayHasher(tree);
        const root = rootFromLeafHashes(tree);
        const index = a % size;
        verifyInclusion(index, size, tree[index] as Uint8Array, await inclusionProof(index, size, hasher), root);
        const size1 = (b % size) + 1;
        const root1 = rootFromLeafHashes(tree.slice(0, size1));
        verifyConsistency(size1, size, await consistencyProof(size1, size, hasher), root1, root);
        // A different leaf must not verify.
        expect(() => verifyInclusion(index, size, leafHash(Uint8Array.of(255, 255, 255)), [], root)).toThrow(MerkleError);
      }),
      { numRuns: 150 },
    );
  });
});
