import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { deployUnitFromSynth, infrastructureOnly, serviceCommands, preflight, type NormalizedService, type RenderContext } from '@homelab/core';
import { fixtureSite, placementOf, synthesizeFor } from '@homelab/core/testing';
import { validateArtifact } from '../../../libs/core/src/validate/index.ts';
import { API_KEY_ENV, APPLY_SCRIPT, DESIRED_STATE_FILE, desiredState, type DesiredState } from '../src/index.ts';
import { TRUENAS_API_KEY_ENV } from '../../../libs/core/src/bootstrap/truenas-first-run.ts';

const t = await synthesizeFor(fixtureSite, 'truenas');
const s = t.synthesis;
const truenas = t.service;
const here = placementOf(fixtureSite, 'truenas');
/** The variable the site names for the CA of the NAS UI certificate. */
const CA_ENV = fixtureSite.edge!.backendCas!.truenas!.pemEnv;
const state = t.json(`files/localhost${DESIRED_STATE_FILE}`) as DesiredState;
const script = t.text(`files/localhost${APPLY_SCRIPT}`);
const shellcheck = spawnSync('shellcheck', ['--version']).status === 0;

describe('truenas: the VM', () => {
  const vm = t.json('terraform/cdk.tf.json').resource.proxmox_virtual_environment_vm.truenas;
  it('is its address-plan VM with CPU weight 1500 (high)', () => {
    expect(vm).toMatchObject({ vm_id: here.vmid, node_name: here.node, name: 'truenas', cpu: { units: 1500 } });
    expect(vm.initialization.ip_config[0].ipv4).toEqual({ address: here.cidr, gateway: here.gateway });
  });
  it('does not balloon: 8 GiB dedicated and an 8 GiB floor, for the ZFS ARC', () => {
    expect(vm.memory).toEqual({ dedicated: 8192, floating: 8192 });
  });
  it('boots from local disk and gets its node\'s passthrough disks raw from the root step on that node', () => {
    expect(vm.disk).toHaveLength(1);
    expect(vm.disk[0]).toMatchObject({ datastore_id: fixtureSite.storage.local, interface: 'scsi0' });
    expect(vm.lifecycle.ignore_changes).toContain('disk');
    const raw = fixtureSite.nodes.find((n) => n.name === here.node)!.disks.filter((d) => d.role === 'passthrough').map((d) => d.device);
    expect(raw.length).toBeGreaterThan(0);
    expect(t.rootSettings(here.vmid!)).toEqual(Object.fromEntries(raw.map((dev, i) => [`scsi${i + 1}`, `${dev},backup=0,replicate=0`])));
    // Proxmox appends size= to a disk it has seen, so the script matches disks as a prefix.
    const script = t.text(`files/${here.node}/usr/local/lib/homelab/guests/${here.vmid}-truenas.sh`);
    for (const [i, dev] of raw.entries()) expect(script).toContain(`want scsi${i + 1} ${dev},backup=0,replicate=0 prefix\n`);
    expect(vm.cdrom.file_id).toBe(`${fixtureSite.storage.images}:iso/TrueNAS-SCALE-25.10.1.iso`);
  });
  it('passes the bpg/proxmox Terraform JSON schema', () => {
    expect(validateArtifact('terraform-json', t.text('terraform/cdk.tf.json'), 'cdk.tf.json').problems).toEqual([]);
  });
  it('is in the storage group, provides nfs and depends on proxmox, traefik and authentik', () => {
    expect(truenas).toMatchObject({ group: 'storage', provides: ['nfs'], dependsOn: ['authentik', 'proxmox', 'traefik'] });
  });
});

describe('truenas: behind Authentik', () => {
  it('routes truenas.<domain> to the HTTPS UI, verifying its self-signed certificate against the pinned CA', () => {
    const text = t.text('files/traefik/etc/traefik/dynamic/truenas.yml');
    const routes = parse(text);
    expect(routes.http.routers.truenas).toMatchObject({ rule: `Host(\`truenas.${fixtureSite.domain}\`)`, middlewares: ['authentik@file'] });
    expect(routes.http.services.truenas.loadBalancer.servers).toEqual([{ url: `https://${here.ip}:443` }]);
    expect(routes.http.serversTransports[routes.http.services.truenas.loadBalancer.serversTransport]).toEqual({ rootCAs: ['/etc/traefik/ca/truenas.pem'] });
    expect(text).not.toContain('insecureSkipVerify');
  });
  it('puts the CA from the site\'s CA variable on the Traefik host, and deploy requires the variable', () => {
    const manifest = t.json('manifest.json');
    expect(manifest.artifacts.find((a: any) => a.target?.path === '/etc/traefik/ca/truenas.pem')?.target).toMatchObject({ host: 'traefik', mode: '0600' });
    expect(t.text('files/traefik/etc/traefik/ca/truenas.pem')).toBe(`{{ lookup('ansible.builtin.env', '${CA_ENV}') }}\n`);
    expect(manifest.env).toContain(CA_ENV);
  });
  it('deploy refuses to run without the CA: preflight names the CA variable, with every other variable set', async () => {
    const unit = deployUnitFromSynth(s.results.find((r) => r.service === 'truenas')!, { home: s.home, root: '/ws', distRoot: '/ws/dist' });
    const env = Object.fromEntries(unit.env.map((e) => [e.name, 'x']));
    const found = async (name: string) => `/usr/bin/${name}`;
    const without = await preflight([unit], { env: { ...env, [CA_ENV]: undefined }, findExecutable: found, skipSmoke: true, distPending: ['truenas'] });
    const missing = without.problems.filter((p) => p.code === 'MissingEnv');
    expect(missing).toHaveLength(1);
    expect(missing[0]!.message).toContain(CA_ENV);
    const withIt = await preflight([unit], { env, findExecutable: found, skipSmoke: true, distPending: ['truenas'] });
    expect(withIt.problems.filter((p) => p.code === 'MissingEnv')).toEqual([]);
  });
  it('deploy --infra-only (the VM before the install) needs neither the API key nor the CA, and runs no apply script', async () => {
    const unit = infrastructureOnly(deployUnitFromSynth(s.results.find((r) => r.service === 'truenas')!, { home: s.home, root: '/ws', distRoot: '/ws/dist' }));
    const env = Object.fromEntries(unit.env.map((e) => [e.name, 'x']));
    expect(Object.keys(env)).not.toContain(API_KEY_ENV);
    expect(Object.keys(env)).not.toContain(CA_ENV);
    const found = async (name: string) => `/usr/bin/${name}`;
    const r = await preflight([unit], { env, findExecutable: found, skipSmoke: true, distPending: ['truenas'] });
    expect(r.problems).toEqual([]);
    const steps = serviceCommands(unit, { tools: r.tools, env, stateDir: '/state', root: '/ws', smokeTarget: 'lab' }).map((c) => c.step);
    expect(steps).toEqual(['infra', 'infra', 'infra']);
  });
  it('the apply script verifies the API with the same CA and never passes --insecure', () => {
    expect(script).not.toContain('--insecure');
    expect(script).toContain('tls=(--cacert "${ca_file}")');
  });
  it('stops before any API call when the variable the site names for the CA is empty, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'truenas-apply-'));
    writeFileSync(join(dir, 'truenas-apply.sh'), script);
    writeFileSync(join(dir, 'truenas-desired-state.json'), JSON.stringify(state));
    const r = spawnSync('bash', [join(dir, 'truenas-apply.sh')], { encoding: 'utf8', env: { PATH: process.env.PATH, [API_KEY_ENV]: 'k', [CA_ENV]: '' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`error: ${CA_ENV} must hold the PEM of the CA that signed the TrueNAS certificate (System > Certificates)\n`);
  });
  it('against a TrueNAS that does not answer over the pinned CA (not installed yet, or another certificate), it fails at its first, unauthenticated call and never sends the key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'truenas-apply-'));
    writeFileSync(join(dir, 'truenas-apply.sh'), script);
    writeFileSync(join(dir, 'truenas-desired-state.json'), JSON.stringify(state));
    // A curl that records its argv and the files it is handed, then fails as curl does on a CA file it cannot read (77).
    writeFileSync(join(dir, 'curl'), '#!/bin/bash\nfor a in "$@"; do printf "%s\\n" "$a" >> "$CURL_LOG"; [[ -r "$a" && "$a" == /dev/fd/* ]] && cat "$a" >> "$CURL_LOG"; done\nexit 77\n', { mode: 0o755 });
    const log = join(dir, 'curl.log');
    const r = spawnSync('bash', [join(dir, 'truenas-apply.sh')], { encoding: 'utf8', env: { PATH: `${dir}:${process.env.PATH}`, CURL_LOG: log, [API_KEY_ENV]: 'the-api-key', [CA_ENV]: 'not the CA that signed it' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('TrueNAS does not answer at https://');
    const calls = readFileSync(log, 'utf8');
    expect(calls).toContain('/api/v2.0/system/state');
    expect(calls).not.toContain('Authorization');
    expect(calls).not.toContain('the-api-key');
  });
  it('reads the API key from the variable API_KEY_ENV names (the script source spells it out)', () => {
    expect(script).toContain(`: "\${${API_KEY_ENV}:?${API_KEY_ENV} must hold a TrueNAS API key`);
    expect(script).toContain(`printf 'Authorization: Bearer %s\\n' "\${${API_KEY_ENV}}"`);
  });
});

describe('truenas: datasets and NFS exports (desired state)', () => {
  /** What the exports must be: the IPs of the Proxmox nodes hosting services that mount NFS. */
  function expectedClients(services: readonly NormalizedService[]): string[] {
    const ips = services.filter((x) => x.nfsMounts.length > 0).flatMap((x) => {
      const owner = x.sharesGuestWith ? services.find((o) => o.name === x.sharesGuestWith)! : x;
      return owner.guests.map((g) => g.node!.ip);
    });
    return [...new Set(ips)].sort();
  }

  it('has the pool and one media dataset: downloads and library on one filesystem, so imports are renames', () => {
    // The site's NFS export is /mnt/<pool>/<dataset>.
    const [pool, dataset] = fixtureSite.storage.nfs.export.split('/').slice(2);
    expect(state.pool).toEqual({ name: pool, importIfMissing: true });
    expect(state.datasets.map((d) => d.name)).toEqual([`${pool}/${dataset}`]);
    expect(state.datasets[0]!.properties).toEqual({ compression: 'LZ4', atime: 'OFF', recordsize: '1M' });
  });
  it('exports every media dataset only to the nodes of the services that declare nfsMounts', () => {
    const expected = expectedClients(s.home.services);
    expect(expected.length).toBeGreaterThan(0);
    for (const share of state.nfs.shares) {
      expect([...share.hosts].sort()).toEqual(expected);
      expect(share.enabled).toBe(true);
    }
    expect(state.nfs.shares.map((x) => x.path)).toEqual(state.datasets.map((d) => `/mnt/${d.name}`));
    expect(state.clientsFrom.map((c) => c.service).sort()).toEqual(s.home.services.filter((x) => x.nfsMounts.length > 0).map((x) => x.name).sort());
  });
  const ctx: RenderContext = { site: s.home.site, service: truenas, services: s.home.services };
  it('follows the services: a new NFS consumer on a node no export names adds that node to every export', () => {
    const template = s.home.services.find((x) => x.nfsMounts.length > 0)!;
    // A node beside the site's, so it is certainly no client yet.
    const elm = { ...template.node!, name: 'elm', ip: '10.20.30.5' };
    expect(state.nfs.shares[0]!.hosts).not.toContain(elm.ip);
    const consumer: NormalizedService = {
      ...template, name: 'fixture-consumer', sharesGuestWith: undefined, node: elm,
      guests: template.guests.map((g) => ({ ...g, name: 'fixture-consumer', node: elm, placement: { ...g.placement, node: elm.name } })),
    };
    const services = [...s.home.services, consumer];
    const next = desiredState({ ...ctx, services });
    expect(next.nfs.shares[0]!.hosts).toContain(elm.ip);
    expect([...next.nfs.shares[0]!.hosts].sort()).toEqual(expectedClients(services));
  });
  it('never enables an export with an empty host list (TrueNAS reads it as every host)', () => {
    const none = desiredState({ ...ctx, services: s.home.services.filter((x) => x.nfsMounts.length === 0) });
    expect(none.nfs.shares.every((x) => x.hosts.length === 0 && !x.enabled)).toBe(true);
    expect(none.nfs.serviceEnabled).toBe(false);
    expect(script).toContain("jq -e '.enabled and (.hosts | length == 0)'");
  });
  it('is valid JSON targeted at the deploy machine', () => {
    expect(validateArtifact('json', t.text(`files/localhost${DESIRED_STATE_FILE}`), 'truenas-desired-state.json').problems).toEqual([]);
    expect(state.api).toBe(`https://${here.ip}/api/v2.0`);
  });
});

describe('truenas: apply script', () => {
  it('takes the API key from the environment only, and passes it to curl on a file descriptor', () => {
    // The second is the pinned CA (site.edge.backendCas.truenas): not a secret, but required all the same.
    expect(truenas.secrets.map((x) => x.env)).toEqual([API_KEY_ENV, CA_ENV]);
    expect(script).toContain(': "${TRUENAS_API_KEY:?');
    expect(script).toContain("-H @<(printf 'Authorization: Bearer %s\\n' \"${TRUENAS_API_KEY}\")");
    expect(t.json('manifest.json').env).toContain('TRUENAS_API_KEY');
  });
  it('uses the v2.0 dataset, NFS share, pool import and service endpoints, reading before writing', () => {
    for (const endpoint of ['/pool/dataset', '/sharing/nfs', '/pool/import_find', '/pool/import_pool', '/core/get_jobs', '/service/start']) expect(script).toContain(endpoint);
    expect(script).not.toMatch(/call POST \/pool ['"]/);
    expect(script).toContain('set -euo pipefail');
  });
  it('runs in place on the deploy machine: nothing is copied there', () => {
    const plays = parse(t.text('ansible/playbook.yml')) as { hosts: string; tasks: Record<string, any>[] }[];
    const local = plays.find((p) => p.hosts === 'localhost')!;
    expect(local.tasks.map((x) => x.name)).toEqual([`Run ${APPLY_SCRIPT}`]);
    expect(local.tasks[0]!['ansible.builtin.command'].argv).toEqual(['bash', '{{ playbook_dir | dirname }}/{{ homelab_dist_path }}']);
    expect(local.tasks[0]!.vars).toEqual({ homelab_dist_path: `files/localhost${APPLY_SCRIPT}` });
    expect(parse(t.text('ansible/inventory.yml')).all.hosts.localhost.ansible_connection).toBe('local');
  });
  it.skipIf(!shellcheck)('passes shellcheck', () => {
    const r = spawnSync('shellcheck', ['-s', 'bash', '-'], { input: script, encoding: 'utf8' });
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('truenas: the key bootstrap hands the apply script', () => {
  it('goes in the variable this package\'s script reads (core keeps its own copy, since core imports no service package)', () => {
    expect(TRUENAS_API_KEY_ENV).toBe(API_KEY_ENV);
  });
});
