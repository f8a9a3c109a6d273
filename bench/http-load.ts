import { fileURLToPath } from 'node:url';
import type { LoadClientRequest, LoadClientResult } from './load-client.ts';
import { issueRequest, round, runJsonChild, withLocalService } from './support.ts';

export interface HttpFigure {
  p50Ms: number;
  p99Ms: number;
  rps: number;
  requests: number;
  /** Answers other than 2xx, and socket errors: both must be 0 for the figure to count. */
  non2xx: number;
  errors: number;
}

export interface HttpResults {
  issue: HttpFigure;
  verify: HttpFigure;
  connections: number;
  durationSeconds: number;
}

export interface HttpOptions {
  connections: number;
  durationSeconds: number;
  log: (line: string) => void;
}

/**
 * End to end through the local server (`startLocalService`: DynamoDB Local, the local signing
 * key, the JWT authorizer, the real handlers) with autocannon at fixed concurrency. Issue sends
 * a new transaction per request; verify presents one genuine certificate. autocannon runs in its
 * own process so it does not steal the server's event loop (it still shares the machine).
 */
export async function measureHttp(options: HttpOptions): Promise<HttpResults> {
  return withLocalService('dcc-bench-http-', options.log, async (service) => {
    const bearer = await service.devClients.token({ role: 'exchange' });
    const response = await fetch(`${service.url}/v1/certificates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
      body: JSON.stringify(issueRequest(`BENCH-HTTP-SEED-${Date.now()}`)),
    });
    if (response.status !== 201) throw new Error(`seed issue answered ${response.status}: ${await response.text()}`);
    const certificate = (await response.json()) as { token: string };

    const base = { url: service.url, connections: options.connections, durationSeconds: options.durationSeconds };
    options.log(`http: issue, ${options.connections} connections, ${options.durationSeconds} s`);
    const issue = await runLoadClient({ ...base, kind: 'issue', token: bearer });
    options.log(`http: verify, ${options.connections} connections, ${options.durationSeconds} s`);
    const verify = await runLoadClient({ ...base, kind: 'verify', token: certificate.token });
    return { issue: figure(issue), verify: figure(verify), connections: options.connections, durationSeconds: options.durationSeconds };
  });
}

function figure(r: LoadClientResult): HttpFigure {
  return { p50Ms: r.p50Ms, p99Ms: r.p99Ms, rps: round(r.rps, 1), requests: r.requests, non2xx: r.non2xx, errors: r.errors + r.timeouts };
}

function runLoadClient(request: LoadClientRequest): Promise<LoadClientResult> {
  const script = fileURLToPath(new URL('./load-client.ts', import.meta.url));
  return runJsonChild<LoadClientResult>(process.execPath, ['--import', 'tsx', script, JSON.stringify(request)], {
    what: 'the load client',
    cwd: fileURLToPath(new URL('..', import.meta.url)),
  });
}
