/**
 * Import rules of the repository, checked by `npm run lint:imports` (part of `npm test`).
 * docs/architecture.md explains the layers; each rule below says which edge it forbids and why.
 *
 * Paths are relative to the repository root and resolved the way Node and TypeScript resolve them
 * (relative `.ts` imports and the package.json subpath imports `#shared/*`, `#local/*`,
 * `#functions/*`), so a rule sees an import however it is spelled. Type-only imports count too:
 * a service that names an HTTP type still depends on the HTTP layer.
 * Dynamic imports of computed specifiers (`import(url.href)`) are invisible to any static check.
 */

/** Folders outside shared/: entry points, platforms and tooling built on top of it. */
const OUTER = '^(functions|local|infra|scripts|cli|bench|web|test|bin)/';

/** The pure core: rules, types, crypto and C2SP code with no I/O and no knowledge of the platform. */
const PURE_CORE = '^shared/(domain|crypto|transparency)/';

/** Generic helpers that import nothing (promise memos): every layer may use them. */
const SUPPORT = '^shared/support/';

/**
 * The message catalogues (zh-CN and en) and language negotiation: pure data and Intl, importing
 * nothing outside itself, so the core, the services, HTTP, `dcc` and the page all use one copy.
 */
const I18N = '^shared/i18n/';

/**
 * The only packages the pure core, the ports and the services may use: libraries without I/O.
 * sm-crypto-v2 (SM2/SM3 on @noble/curves) is one: WebCrypto and Node's crypto cannot do SM2.
 */
const PURE_PACKAGES = '^node_modules/(zod|jose|uuid|sm-crypto-v2)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'pure-core-imports-only-itself',
      comment:
        'shared/domain, shared/crypto and shared/transparency hold the rules, types and C2SP code. ' +
        'They import only each other, so they can be tested and reused (the verification page bundles ' +
        'them for the browser) without ports, stores, HTTP or the composition root.',
      severity: 'error',
      from: { path: PURE_CORE },
      to: { path: ['^shared/', OUTER], pathNot: [PURE_CORE, SUPPORT, I18N] },
    },
    {
      name: 'pure-core-no-platform-packages',
      comment:
        'The pure core may use node built-ins and the I/O-free libraries zod, jose, uuid and sm-crypto-v2; ' +
        'any other package (the AWS SDK, Powertools, middy) belongs in an adapter, http or the app.',
      severity: 'error',
      from: { path: PURE_CORE },
      to: { path: '^node_modules/', pathNot: PURE_PACKAGES },
    },
    {
      name: 'ports-import-only-the-core',
      comment:
        'shared/ports declares what the services need from a store. A port speaks in domain terms ' +
        'only (records, errors, C2SP tiles) so that any adapter can implement it.',
      severity: 'error',
      from: { path: '^shared/ports/' },
      to: {
        path: ['^shared/', OUTER, '^node_modules/'],
        pathNot: ['^shared/(domain|crypto|transparency|ports)/', SUPPORT, PURE_PACKAGES],
      },
    },
    {
      name: 'services-import-only-core-and-ports',
      comment:
        'shared/services holds the use cases. They reach stores and signers through ports and never ' +
        'see HTTP (no problem documents, no principals), adapters or the composition root, so the ' +
        'same use case serves Lambda, local mode, the bench and unit tests.',
      severity: 'error',
      from: { path: '^shared/services/' },
      to: {
        path: ['^shared/', OUTER, '^node_modules/'],
        pathNot: ['^shared/(domain|crypto|transparency|ports|services)/', SUPPORT, I18N, PURE_PACKAGES],
      },
    },
    {
      name: 'support-imports-nothing',
      comment:
        'shared/support holds helpers every layer may use, so it imports nothing of the project and ' +
        'no package (node built-ins only); otherwise it would carry one layer into another.',
      severity: 'error',
      from: { path: SUPPORT },
      to: { path: ['^shared/', OUTER, '^node_modules/'], pathNot: SUPPORT },
    },
    {
      name: 'i18n-imports-nothing',
      comment:
        'shared/i18n holds the catalogues of both languages and the negotiation of a reader\'s language. ' +
        'It imports nothing of the project and no package, so that the domain, the services, HTTP, dcc ' +
        'and the browser page can all use it without reaching another layer.',
      severity: 'error',
      from: { path: I18N },
      to: { path: ['^shared/', OUTER, '^node_modules/'], pathNot: I18N },
    },
    {
      name: 'adapters-not-to-upper-layers',
      comment:
        'shared/adapters implement ports over DynamoDB, KMS and key files. They know nothing of the ' +
        'use cases, HTTP or how the app is wired, and nothing of the local platform.',
      severity: 'error',
      from: { path: '^shared/adapters/' },
      to: { path: ['^shared/(services|http|app)/', OUTER] },
    },
    {
      name: 'http-not-to-adapters-or-app',
      comment:
        'shared/http turns API Gateway events into use-case calls and results into responses. It is ' +
        'handed the app; it never builds one, so it imports no adapter and no composition root.',
      severity: 'error',
      from: { path: '^shared/http/' },
      to: { path: ['^shared/(adapters|app)/', OUTER] },
    },
    {
      name: 'http-uses-ports-as-types-only',
      comment:
        'shared/http may name a port in a type (what the app hands it) but must not depend on a ' +
        'port module at run time; errors a store raises reach HTTP through the domain error model. ' +
        'Write `import type`: under verbatimModuleSyntax `import { type X }` still loads the module.',
      severity: 'error',
      from: { path: '^shared/http/' },
      to: { path: '^shared/ports/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'shared-not-to-local',
      comment:
        'local/ is the platform for running without AWS (HTTP server, JWT authorizer, DynamoDB Local). ' +
        'The product under shared/ must run in Lambda without it.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^local/' },
    },
    {
      name: 'shared-not-to-outer-folders',
      comment:
        'shared/ is the library everything else builds on; it never imports an entry point ' +
        '(functions/, scripts/, cli/, bench/), the stack (infra/), the web page or the tests.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: OUTER, pathNot: '^local/' },
    },
    {
      name: 'functions-only-app-and-http',
      comment:
        'A Lambda entry point wires the production app (shared/app) into an HTTP handler (shared/http) ' +
        'and nothing else; route logic lives in shared/. The verification page function also serves ' +
        'the page bundle generated under web/generated/.',
      severity: 'error',
      from: { path: '^functions/' },
      to: {
        path: ['^shared/', OUTER],
        pathNot: ['^shared/(app|http)/', '^web/generated/'],
      },
    },
    {
      name: 'infra-only-routes-config-table',
      comment:
        'The CDK stack reads from shared/ only what describes the deployment: the routes table ' +
        '(paths, functions, scopes), the configuration schema and the table definition. It does not ' +
        'import the local platform or operator scripts (Lambda code is referenced by file path). ' +
        'The domain facts it reads are the exchange-id rule, which the stage settings validate ' +
        'exactly as the registry does, and the OAuth constants (the access tokens\' one audience and ' +
        'the token endpoint paths), which the JWT authorizer and the outputs must share with the token endpoint.',
      severity: 'error',
      from: { path: '^infra/' },
      to: {
        path: ['^shared/', '^(functions|local|scripts|cli|bench|web|test|bin)/'],
        pathNot: '^shared/(http/routes|app/config|adapters/dynamodb/table|domain/records|domain/oauth)\\.ts$',
      },
    },
    {
      name: 'cli-not-to-web',
      comment:
        'The auditor CLI and the verification page are two verifiers of the same certificates; what ' +
        'they share lives in shared/ (domain and crypto), never in the other one.',
      severity: 'error',
      from: { path: '^cli/' },
      to: { path: '^web/' },
    },
    {
      name: 'web-only-pure-core',
      comment:
        'The verification page runs in a browser: from shared/ it may bundle only the pure core ' +
        '(domain and crypto) and the message catalogues (i18n), never stores, services, HTTP or the app.',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: ['^shared/', '^(functions|local|infra|scripts|cli|bench|test|bin)/'], pathNot: '^shared/(domain|crypto|i18n)/' },
    },
    {
      name: 'production-not-to-dev-dependencies',
      comment:
        'Code bundled into a Lambda function must not need a devDependency at run time ' +
        '(type-only imports such as @types/aws-lambda are erased).',
      severity: 'error',
      from: { path: '^(shared|functions)/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-non-package-json',
      comment:
        'Every package imported is declared in package.json; a transitive dependency can disappear ' +
        'with any update of the package that brought it.',
      severity: 'error',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves to a file on disk (a typo or a moved file fails here first).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-circular',
      comment: 'No module reaches itself through its imports; a cycle makes load order matter.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-circular-between-layers',
      comment:
        'No folder under shared/ reaches itself through another folder: dependencies between ' +
        'layers point one way.',
      severity: 'error',
      scope: 'folder',
      // domain, crypto and transparency form one layer (they may import each other), so a cycle
      // among them alone is allowed; any cycle that passes through another folder is not.
      from: { path: '^shared/', pathNot: '^shared/(domain|crypto|transparency)(/|$)' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules'] },
    // Build output, local data and dependency-cruiser's own configuration are not source.
    // (node_modules is not excluded: that would hide every package import from the rules.)
    exclude: {
      path: ['^cdk\\.out/', '^\\.data/', '^\\.cache/', '^coverage/', '^test-output/', '^\\.dependency-cruiser\\.cjs$'],
    },
    // Count `import type` too: a type import is a dependency between layers all the same.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.mjs', '.js', '.cjs', '.d.ts', '.json'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
  },
};
