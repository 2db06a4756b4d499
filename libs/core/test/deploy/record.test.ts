import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compareWithDeployed, deployStateDir, SetupError, manifestHash, planChanges, readDeployRecord, statePaths, writeDeployRecord,
  type DeployRecord, type ServiceManifest,
} from '../../src/index.ts';
import { manifestOf, tempDir } from './helpers.ts';

function record(manifest: ServiceManifest, extra: Partial<DeployRecord> = {}): DeployRecord {
  return {
    schema: 1, service: manifest.service, package: manifest.package, version: manifest.version, status: 'deployed',
    manifestSha256: manifestHash(manifest), host: 'ops', at: '2026-01-01T00:00:00.000Z', commit: 'abc', manifest, ...extra,
  };
}

const base = manifestOf('traefik', { content: 'v1' });
const withArtifacts = (m: ServiceManifest, artifacts: ServiceManifest['artifacts']): ServiceManifest => ({ ...m, artifacts });

describe('compareWithDeployed', () => {
  it.each<[string, ServiceManifest, DeployRecord | undefined, { status: string; artifacts: string[]; reason?: string }]>([
    ['new: never deployed', base, undefined, { status: 'new', artifacts: [] }],
    ['unchanged: same manifest', base, record(base), { status: 'unchanged', artifacts: [] }],
    ['unchanged: property order does not matter', Object.fromEntries(Object.entries(base).reverse()) as unknown as ServiceManifest, record(base), { status: 'unchanged', artifacts: [] }],
    ['changed: one artifact hash', manifestOf('traefik', { content: 'v2' }), record(base), { status: 'changed', artifacts: ['terraform/cdk.tf.json'] }],
    ['changed: artifact added and removed', withArtifacts(base, [...base.artifacts.slice(1), { file: 'files/x', format: 'text', secret: false, sha256: 'f'.repeat(64) }]), record(base),
      { status: 'changed', artifacts: ['-ansible/inventory.yml', '+files/x'] }],
    ['changed: version and dependencies', { ...base, version: '1.1.0', dependsOn: ['dns'] }, record(base), { status: 'changed', artifacts: ['version 1.0.0 -> 1.1.0', 'dependsOn'] }],
    ['changed: a target mode, same content', withArtifacts(base, base.artifacts.map((a) => (a.file === 'ansible/playbook.yml' ? { ...a, target: { host: 'h', path: '/p', mode: '0600', owner: 'root' } } : a))), record(base),
      { status: 'changed', artifacts: ['ansible/playbook.yml'] }],
    ['changed: the last deploy failed, even with the same manifest', base, record(base, { status: 'failed', failedStep: 'config', lastDeployed: { manifest: base, at: 'x' } }),
      { status: 'changed', artifacts: [], reason: 'last deploy failed at config' }],
    ['new: failed and never deployed before', base, record(base, { status: 'failed', failedStep: 'infra' }), { status: 'new', artifacts: [], reason: 'last deploy failed at infra' }],
  ])('%s', (_title, manifest, deployed, expected) => {
    expect(compareWithDeployed(manifest, deployed)).toEqual(expected);
  });
});

describe('deploy records in the state directory', () => {
  it('default location: HOMELAB_STATE_DIR, else $XDG_STATE_HOME/homelab, else ~/.local/state/homelab', () => {
    expect(deployStateDir({ HOMELAB_STATE_DIR: '/s', XDG_STATE_HOME: '/x', HOME: '/h' })).toBe('/s');
    expect(deployStateDir({ XDG_STATE_HOME: '/x', HOME: '/h' })).toBe('/x/homelab');
    expect(deployStateDir({ HOME: '/h' })).toBe('/h/.local/state/homelab');
  });

  it('writes and reads a record; a foreign file is refused with a way out', async () => {
    const state = tempDir();
    const r = record(base);
    const path = await writeDeployRecord(state, r);
    expect(path).toBe(join(state, 'deployed', 'traefik.json'));
    expect(await readDeployRecord(state, 'traefik')).toEqual(r);
    expect(await readDeployRecord(state, 'nothing')).toBeUndefined();
    mkdirSync(join(state, 'deployed'), { recursive: true });
    writeFileSync(statePaths.record(state, 'odd'), '{"schema": 9}');
    await expect(readDeployRecord(state, 'odd')).rejects.toMatchObject({
      name: 'StateError', path: statePaths.record(state, 'odd'),
      message: expect.stringMatching(/deployed\/odd\.json: is not a homelab deploy record of odd: its schema is 9/),
      fix: expect.stringMatching(/^Move it away \(mv .*odd\.json .*odd\.json\.broken\)/),
    });
  });

  it('a record that is not JSON: planChanges (homelab plan) gets a SetupError naming the file and the fix, never a bare SyntaxError', async () => {
    const state = tempDir();
    mkdirSync(join(state, 'deployed'), { recursive: true });
    writeFileSync(statePaths.record(state, 'traefik'), '{"schema": 1,');
    const error = await planChanges([base], state).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SetupError);
    expect(error).toMatchObject({ message: expect.stringMatching(/traefik\.json: is not a homelab deploy record of traefik: not JSON/), fix: expect.stringContaining('.broken') });
  });

  it('planChanges gives formatPlan its changes, with the reason first', async () => {
    const state = tempDir();
    await writeDeployRecord(state, record(base));
    const idp = manifestOf('idp');
    await writeDeployRecord(state, record(idp, { status: 'failed', failedStep: 'smoke', lastDeployed: { manifest: manifestOf('idp', { content: 'old' }), at: 'x' } }));
    const changes = await planChanges([base, manifestOf('app'), idp, manifestOf('dns', {})], state);
    expect(Object.fromEntries(changes)).toEqual({
      traefik: { status: 'unchanged', artifacts: [] },
      app: { status: 'new', artifacts: [] },
      idp: { status: 'changed', artifacts: ['last deploy failed at smoke', 'terraform/cdk.tf.json'] },
      dns: { status: 'new', artifacts: [] },
    });
  });
});
