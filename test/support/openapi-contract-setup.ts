import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, inject } from 'vitest';
import type { ContractRecorder, ObservedResponse } from './openapi-contract.ts';

/**
 * Set-up file (vitest `setupFiles`) of the contract check: in the suites that talk HTTP to the
 * service (test/integration, test/cli, test/reliability, test/browser), every response the service
 * sends is checked against `openapi.json` (see `openapi-contract.ts`), and a test during which a
 * response broke the contract fails. Responses are observed where every client's traffic passes:
 *
 * - at the local server in this process (every `startLocalService`): whatever the client was,
 *   `fetch`, `dcc` in a child process or Chromium. The local gateway marks each response with
 *   `apigw-requestid`, as API Gateway does, which tells its responses from those of other servers
 *   the tests run (hostile sources, fault proxies);
 * - at `fetch`, for a service in another process (`npm start` run by a test), skipping the
 *   responses already checked at the server;
 * - at the reliability harness, which invokes handlers directly (it calls the recorder itself).
 *
 * Each file's counts are written where the global set-up adds them up and prints the total.
 */

const SUITES = /[\\/]test[\\/](integration|cli|reliability|browser)[\\/]/;

/** Process-wide hooks, installed once per worker process whatever the number of test files. */
const HOOKS = Symbol.for('dcc.openapi-contract.hooks');
interface Hooks {
  /** The current test file's recorder; undefined outside the checked suites. */
  recorder: ContractRecorder | undefined;
  originalFetch: typeof fetch;
}
const globals = globalThis as typeof globalThis & { [HOOKS]?: Hooks };

function installHooks(): Hooks {
  const existing = globals[HOOKS];
  if (existing) return existing;
  const hooks: Hooks = { recorder: undefined, originalFetch: globalThis.fetch };
  globals[HOOKS] = hooks;
  observeServerResponses(hooks);
  globalThis.fetch = checkedFetch(hooks);
  return hooks;
}

const bodies = new WeakMap<ServerResponse, Buffer[]>();
const done = new WeakSet<ServerResponse>();

function chunkBytes(chunk: unknown, encoding: unknown): Buffer | null {
  if (typeof chunk === 'string') return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk);
  return null;
}

/** Wraps `ServerResponse` write/end to see each response a local gateway in this process sends. */
function observeServerResponses(hooks: Hooks): void {
  const proto = ServerResponse.prototype as unknown as Record<'write' | 'end', (...args: unknown[]) => unknown>;
  const write = proto.write;
  const end = proto.end;
  proto.write = function (this: ServerResponse, ...args: unknown[]) {
    const bytes = chunkBytes(args[0], args[1]);
    if (bytes && hooks.recorder) bodies.set(this, [...(bodies.get(this) ?? []), bytes]);
    return write.apply(this, args);
  };
  proto.end = function (this: ServerResponse, ...args: unknown[]) {
    const recorder = hooks.recorder;
    const requestId = this.getHeader('apigw-requestid');
    if (recorder && typeof requestId === 'string' && !done.has(this)) {
      done.add(this);
      const bytes = typeof args[0] === 'function' ? null : chunkBytes(args[0], args[1]);
      const body = Buffer.concat([...(bodies.get(this) ?? []), ...(bytes ? [bytes] : [])]);
      const contentType = this.getHeader('content-type');
      recorder.seenRequestIds.add(requestId);
      recorder.observe('server', {
        method: this.req.method ?? 'GET',
        path: (this.req.url ?? '/').split('?')[0] ?? '/',
        status: this.statusCode,
        contentType: typeof contentType === 'string' ? contentType : undefined,
        body,
      });
    }
    return end.apply(this, args);
  };
}

/** `fetch` that checks answers of a service this process does not run. */
function checkedFetch(hooks: Hooks): typeof fetch {
  return async (input, init) => {
    const response = await hooks.originalFetch(input, init);
    const recorder = hooks.recorder;
    const requestId = response.headers.get('apigw-requestid');
    if (!recorder || requestId === null || recorder.seenRequestIds.has(requestId)) return response;
    const request = new Request(input, init);
    const observed: ObservedResponse = {
      method: request.method,
      path: new URL(request.url).pathname,
      status: response.status,
      contentType: response.headers.get('content-type') ?? undefined,
      body: Buffer.from(await response.clone().arrayBuffer()),
    };
    recorder.observe('fetch', observed);
    return response;
  };
}

const hooks = installHooks();
let recorder: ContractRecorder | undefined;

beforeAll(async () => {
  const testPath = expect.getState().testPath ?? '';
  if (!SUITES.test(testPath)) {
    hooks.recorder = undefined;
    return;
  }
  const { contractRecorder } = await import('./openapi-contract.ts');
  recorder = contractRecorder();
  recorder.activate();
  hooks.recorder = recorder;
});

afterEach(() => {
  const violations = recorder?.takeViolations() ?? [];
  if (violations.length > 0) {
    throw new Error(`responses broke the API description (openapi.json):\n  ${violations.join('\n  ')}`);
  }
});

afterAll(() => {
  if (!recorder) return;
  const violations = recorder.takeViolations();
  const dir = inject('openApiContractDir');
  if (dir) {
    writeFileSync(join(dir, `${randomUUID()}.json`), JSON.stringify({ file: expect.getState().testPath, counts: recorder.counts }));
  }
  hooks.recorder = undefined;
  if (violations.length > 0) {
    throw new Error(`responses broke the API description (openapi.json) outside a test:\n  ${violations.join('\n  ')}`);
  }
});
