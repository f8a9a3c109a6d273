import { memoizeAsync } from '../support/memo.ts';

/**
 * `sm2.ts`, imported on first use: `sm-crypto-v2` and `@noble/curves` are about 80 KB minified
 * and build their curve when evaluated, and only a stage or a key set of the SM2 suite needs
 * them. The callers are the steps that use an SM2 key (its first proof, a signer's first public
 * key) and already await; what they build from it (an `Sm2PublicKey`) is kept, so a batch's
 * later tokens verify without awaiting again. esbuild puts the module into its own chunk for
 * `dcc` and inlines it, still evaluated on first use only, into a Lambda bundle and the page.
 */
export const loadSm2 = /* @__PURE__ */ memoizeAsync(() => import('./sm2.ts'));
