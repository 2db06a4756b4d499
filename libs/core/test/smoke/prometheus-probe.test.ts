import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatProbeResult } from '../../src/smoke/probe-result.ts';
import { probePrometheusTargets, prometheusTargetsUrl } from '../../src/smoke/prometheus-probe.ts';
import { CANNED_TARGETS, startHttp, type Running } from './fixtures.ts';

let prometheus: Running<import('node:http').Server>;
const paths: string[] = [];

beforeAll(async () => {
  prometheus = await startHttp((req, res) => {
    paths.push(req.url ?? '');
    const { pathname } = new URL(req.url ?? '/', 'http://placeholder');
    if (pathname === '/api/v1/targets' || pathname === '/prom/api/v1/targets') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(CANNED_TARGETS));
    } else if (pathname === '/broken/api/v1/targets') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>');
    } else {
      res.writeHead(404).end();
    }
  });
});

afterAll(() => prometheus?.close());

describe('probePrometheusTargets', () => {
  const base = () => `http://127.0.0.1:${prometheus.port}`;

  it('passes when every target of the job is up', async () => {
    const result = await probePrometheusTargets({ prometheusUrl: base(), job: 'node' });
    expect(result).toEqual({ ok: true, target: `${base()}/api/v1/targets?state=active job "node"`, detail: '1 target up', attempts: 1 });
  });

  it('fails when a target is down, naming it and its last error', async () => {
    const result = await probePrometheusTargets({ prometheusUrl: base(), job: 'sonarr' });
    expect(formatProbeResult(result)).toBe(
      `${base()}/api/v1/targets?state=active job "sonarr": expected every target up, got 1 of 1 not up: http://10.10.0.30:9707/metrics is down (connect: connection refused) after 1 attempt`,
    );
  });

  it('fails when the job has no active targets, listing the jobs there are', async () => {
    const result = await probePrometheusTargets({ prometheusUrl: base(), job: 'radarr' });
    expect(result.detail).toBe('expected every target up, got no active targets for the job (jobs: node, sonarr)');
  });

  it('keeps a path prefix and fails on an answer that is not JSON', async () => {
    expect((await probePrometheusTargets({ prometheusUrl: `${base()}/prom`, job: 'node' })).ok).toBe(true);
    expect(paths).toContain('/prom/api/v1/targets?state=active');
    const broken = await probePrometheusTargets({ prometheusUrl: `${base()}/broken/`, job: 'node' });
    expect(broken.detail).toBe('expected every target up, got a body that is not JSON (18 bytes)');
    const missing = await probePrometheusTargets({ prometheusUrl: `${base()}/nothing/`, job: 'node' });
    expect(missing.detail).toBe('expected every target up, got status 404');
  });

  it('builds the targets URL from a base with or without a trailing slash', () => {
    expect(prometheusTargetsUrl('https://prometheus.example.test').href).toBe('https://prometheus.example.test/api/v1/targets?state=active');
    expect(prometheusTargetsUrl('https://example.test/prometheus/?x=1').href).toBe('https://example.test/prometheus/api/v1/targets?state=active');
  });
});
