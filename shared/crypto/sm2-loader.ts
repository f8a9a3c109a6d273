import { memoizeAsync } from '../support/memo.ts';

/**
 * `sm2.ts`, imported on first use: `sm-crypto-v2` and `@noble/curves` are about 80 KB minified
 * and build their curve when evaluated, and only a stage or a key set of the SM2 suite needs
 * them. The callers are the steps that use an SM2 key (its first proof, a signer's first public
 * key) and already await; what they build from it (an `Sm2PublicKey`) is kept, so a batch's
 * later tokens verify without awaiting again. esbuild puts the module into its own chunk for
 * `dcc` and inlines it, still evaluated on first use only, into a Lambda bundle and the page.
 */
export const loadSm2 = /* @__PURE__ */ memoizeAsync(() =>
  // Written out here, not through a constant of another module: esbuild drops the import only when
  // the test folds to false in the same module, before it follows the import.
  typeof DCC_SM2_SUITE === 'undefined' || DCC_SM2_SUITE
    ? import('./sm2.ts')
    : Promise.reject(new Error('this build leaves out the SM2 suite (its stage signs with ES256)')),
);

/**
 * Set by the bundler, never at run time. A Lambda bundle of an ES256 stage defines it as `false`
 * (`infra/constructs/api-function.ts`): no key of such a stage is an SM2 key, and the test above
 * then leaves `sm2.ts` and the SM2 libraries out of the bundle, about 60 KB that every cold start
 * would otherwise compile. Every other build, and a run from source, leaves it undefined and
 * carries the suite.
 */
declare const DCC_SM2_SUITE: boolean | undefined;
