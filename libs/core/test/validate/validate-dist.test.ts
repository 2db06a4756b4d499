import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ArtifactRecord, ServiceManifest } from '../../src/synth/manifest.ts';
import { validateServiceDist } from '../../src/validate/index.ts';
import { fixture, registry } from './helpers.ts';

const root = mkdtempSync(path.join(tmpdir(), 'validate-dist-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Writes dist/<service>/ with the given files and a manifest listing `records` (hash of the written content unless given). */
function writeDist(service: string, files: Record<string, string>, records: readonly (Omit<ArtifactRecord, 'sha256' | 'secret'> & { sha256?: string })[]): string {
  const dir = path.join(root, 'dist', service);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  const manifest: ServiceManifest = {
    service, package: `@homelab/${service}`, version: '1.0.0', group: 'infra', kind: 'lxc', dependsOn: [], env: [],
    artifacts: records.map((r) => ({ secret: false, ...r, sha256: r.sha256 ?? sha256(files[r.file] ?? '') })),
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}

describe('validateServiceDist', () => {
  it('checks every artifact by its recorded format, one check per file and per Compose schema', async () => {
    const dir = writeDist('traefik', {
      'terraform/cdk.tf.json': fixture('bpg-proxmox-v0.111.1', 'valid.homelab.tf.json'),
      'files/traefik/etc/traefik/dynamic/grafana.yml': fixture('smoke', 'traefik-dynamic.valid.yml'),
      'files/traefik/opt/traefik/compose.yaml': 'services:\n  traefik:\n    image: traefik:v3.7\n    ports: "80"\n',
      'files/traefik/etc/nginx/nginx.conf': fixture('smoke', 'nginx.valid.conf'),
    }, [
      { file: 'files/traefik/etc/nginx/nginx.conf', format: 'nginx' },
      { file: 'files/traefik/etc/traefik/dynamic/grafana.yml', format: 'traefik-dynamic' },
      { file: 'files/traefik/opt/traefik/compose.yaml', format: 'compose' },
      { file: 'terraform/cdk.tf.json', format: 'terraform-json' },
    ]);
    const checks = await validateServiceDist(dir, { registry, root });
    expect(checks.map((c) => [c.file, c.check, c.ok])).toEqual([
      ['files/traefik/etc/nginx/nginx.conf', 'no schema check', true],
      ['files/traefik/etc/traefik/dynamic/grafana.yml', 'schema traefik-v3-file-provider', true],
      ['files/traefik/opt/traefik/compose.yaml', 'schema compose-spec', false],
      ['files/traefik/opt/traefik/compose.yaml', 'schema compose-spec.compose-go-v2.13.0', false],
      ['terraform/cdk.tf.json', 'schema bpg-proxmox-v0.111.1.tf-json', true],
    ]);
    // Problems name the file as seen from the root, so a terminal can open it.
    expect(checks[2]!.problems).toEqual([{
      source: 'dist/traefik/files/traefik/opt/traefik/compose.yaml', path: '/services/traefik/ports', code: 'SchemaViolation',
      message: 'must be array (line 4)', received: '80', fix: 'Write a value of type array.',
    }]);
  });

  it('reports a missing file, a hand-edited file and a path outside the service directory', async () => {
    const dir = writeDist('dns', {
      'files/dns/etc/prometheus/rules.yml': fixture('smoke', 'prometheus-rules.valid.yml'),
    }, [
      { file: 'files/dns/etc/alertmanager.yml', format: 'alertmanager-config' },
      { file: 'files/dns/etc/prometheus/rules.yml', format: 'prometheus-rules', sha256: sha256('what synth wrote') },
      { file: '../traefik/manifest.json', format: 'json' },
    ]);
    const checks = await validateServiceDist(dir, { registry, root });
    expect(checks.map((c) => [c.check, c.ok, c.problems.map((p) => p.code)])).toEqual([
      ['read', false, ['ArtifactMissing']],
      ['schema prometheus-rules', false, ['ArtifactHashMismatch']],
      ['read', false, ['ArtifactOutsideDist']],
    ]);
  });

  it('reports a missing manifest as a failed check', async () => {
    const checks = await validateServiceDist(path.join(root, 'dist', 'nothing'), { registry, root });
    expect(checks).toEqual([{
      file: 'manifest.json', format: 'json', check: 'manifest', ok: false,
      problems: [{ source: 'dist/nothing/manifest.json', path: '', code: 'ManifestMissing', message: 'does not exist', fix: 'Run synth for this service first.' }],
    }]);
  });
});
