import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAccessString } from '@cache-platform/cache-contract';
import { findServices, localRun, requestToEvent, WORKSPACE_ROOT } from './local-run';

describe('local run', () => {
  it('finds every service of the workspace with its manifest', () => {
    const services = findServices(WORKSPACE_ROOT).map((s) => s.manifest.service);
    expect(services).toEqual(expect.arrayContaining(['catalog-api', 'enrollment-api']));
    const empty = mkdtempSync(join(tmpdir(), 'no-apps-'));
    expect(findServices(empty)).toEqual([]);
    rmSync(empty, { recursive: true });
  });

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

  it('refuses an unknown service, naming the known ones', async () => {
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
