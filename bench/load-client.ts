import autocannon from 'autocannon';
import { issueRequest } from './support.ts';

/**
 * The HTTP load generator, run as its own process by `http-load.ts` so that it does not share
 * an event loop with the server it measures. Reads one JSON argument, prints one JSON result.
 */

/** What the parent asks for. */
export interface LoadClientRequest {
  url: string;
  kind: 'issue' | 'verify';
  /** Bearer token (issue) or certificate token (verify). */
  token: string;
  connections: number;
  durationSeconds: number;
}

/** What the parent gets back. */
export interface LoadClientResult {
  p50Ms: number;
  p99Ms: number;
  rps: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? '{}') as LoadClientRequest;
  let sequence = 0;
  const run = `${process.pid}-${Date.now()}`;
  const target =
    request.kind === 'issue'
      ? {
          method: 'POST' as const,
          path: '/v1/certificates',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${request.token}` },
          // Every request is a new transaction; a replay would measure another path.
          setupRequest: (req: autocannon.Request) => ({ ...req, body: JSON.stringify(issueRequest(`BENCH-HTTP-${run}-${++sequence}`)) }),
        }
      : {
          method: 'POST' as const,
          path: '/v1/verify',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token: request.token }),
        };
  const result = await autocannon({
    url: request.url,
    connections: request.connections,
    duration: request.durationSeconds,
    requests: [target],
  });
  const out: LoadClientResult = {
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    rps: result.requests.average,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
  process.stdout.write(JSON.stringify(out));
}

await main();
