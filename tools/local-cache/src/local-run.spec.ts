import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAccessString } from '@cache-platform/cache-contract';
import { localRun, requestToEvent, WORKSPACE_ROOT } from './local-run';

describe('local run', () => {
  it('runs a service the generator put outside apps/ (--directory=services/payments), from the entry its manifest names', async () => {
    const root = mkdtempSync(join(tmpdir(), 'local-run-directory-'));
    try {
      const write = (path: string, text: string) => {
        mkdirSync(join(root, path, '..'), { recursive: true });
        writeFileSync(join(root, path), text);
      };
      write('nx.json', '{}');
      const manifest = {
        service: 'payments',
        keyspace: 'payments',
        owner: 'team-a',
        purpose: 'cache payments',
        authMode: 'password',
        accessProfile: 'readwrite',
      };
      write('services/payments/cache-service.json', JSON.stringify({ ...manifest, handler: 'src/entry.ts' }));
      // no client: the probe answers with the variable the local secret path sets
      write(
        'services/payments/src/entry.ts',
        `export const handler = async () => ({ statusCode: 200, body: JSON.stringify({ secret: typeof process.env['${'REDIS_SECRET_ARN'}'] }) });\n`,
      );
      const log: string[] = [];
      const result = await localRun({ workspace: root, service: 'payments', requests: ['/health'], log: (line) => log.push(line) });
      expect(result.responses).toEqual([{ request: '/health', statusCode: 200, body: { secret: 'string' } }]);
      expect(log.join('\n')).toContain('users: payments-local');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);

  it('turns request strings into API Gateway v2 events and refuses malformed ones', () => {
    expect(requestToEvent('DELETE /?id=7')).toEqual({
      rawPath: '/',
      requestContext: { http: { method: 'DELETE' } },
      queryStringParameters: { id: '7' },
    });
    expect(requestToEvent('/health')).toEqual({
      rawPath: '/health',
      requestContext: { http: { method: 'GET' } },
      queryStringParameters: null,
    });
    expect(() => requestToEvent('health')).toThrow('invalid request "health": expected "[METHOD ]/path[?query]"');
  });

  it('refuses an unknown service, naming the known ones (none in an empty workspace)', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-apps-'));
    await expect(localRun({ workspace: empty, service: 'nope', requests: ['/health'] })).rejects.toThrow(
      'unknown service "nope": services in this workspace are (none)',
    );
    rmSync(empty, { recursive: true });
    await expect(localRun({ workspace: WORKSPACE_ROOT, service: 'nope', requests: ['/health'] })).rejects.toThrow(
      /unknown service "nope": services in this workspace are .*catalog-api/,
    );
  });

  it('runs the bundled handler against a local Redis through the secret -> TLS client path', async () => {
    const result = await localRun({ workspace: WORKSPACE_ROOT, service: 'catalog-api', requests: ['/health', '/?id=1', '/?id=1'] });
    expect(result.responses.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    const health = result.responses[0]!.body as { cache: { status: string; mode: string } };
    expect(health.cache.status).toBe('ok');
    // miss then hit: the second answer is the cached copy of the first
    expect(result.responses[2]!.body).toEqual(result.responses[1]!.body);
    // the handler flushes CloudWatch EMF counters at the end of each invocation
    const emf = result.metricLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(emf.length).toBeGreaterThan(0);
    expect(emf.some((doc) => typeof doc['_aws'] === 'object')).toBe(true);
    expect(buildAccessString('catalog')).toContain('~catalog:*');
  }, 60_000);
});
