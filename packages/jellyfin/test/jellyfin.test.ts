import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { site } from '@homelab/site';
import { synthesized, synthesizeThisSite } from '@homelab/site/testing';
import { validateArtifact } from '../../../libs/core/src/validate/index.ts';
import { JELLYFIN_IMAGE } from '../src/index.ts';

const s = await synthesized('jellyfin');
const ct = s.json('terraform/cdk.tf.json').resource.proxmox_virtual_environment_container['jellyfin'];
const composeText = s.text('files/jellyfin/opt/stacks/jellyfin/compose.yml');
const app = parse(composeText).services['jellyfin'];

describe('jellyfin: infrastructure', () => {
  it('is LXC 204 at .24 on tower1 with CPU weight 1024 (normal)', () => {
    expect(ct).toMatchObject({ vm_id: 204, node_name: 'tower1', cpu: { units: 1024 }, unprivileged: true, features: { nesting: true } });
    expect(s.rootSettings(204).features).toBe('keyctl=1,nesting=1');
    expect(ct.initialization.ip_config[0].ipv4.address).toBe('192.168.86.24/24');
  });
  it('passes the iGPU render node through (root step on tower1)', () => {
    expect(s.rootSettings(204).dev0).toBe('/dev/dri/renderD128,mode=0660');
    expect(Object.keys(s.rootSettings(204)).filter((k) => k.startsWith('dev'))).toEqual(['dev0']);
    expect(ct.device_passthrough).toBeUndefined();
    expect(ct.lifecycle.ignore_changes).toContain('device_passthrough');
  });
  it('bind-mounts the media share read-only from the host NFS mount (root step on tower1)', () => {
    const mps = Object.entries(s.rootSettings(204)).filter(([k]) => /^mp\d+$/.test(k));
    expect(mps).toEqual([['mp0', `${site.storage.nfs.hostMountPath}/media,backup=0,mp=/media,ro=1`]]);
    expect(mps[0]![1].startsWith(`${site.storage.nfs.hostMountPath}/`)).toBe(true);
    expect(ct.mount_point).toBeUndefined();
    expect(ct.lifecycle.ignore_changes).toContain('mount_point');
  });
  it('is valid Terraform JSON for bpg/proxmox', () => {
    expect(validateArtifact('terraform-json', s.text('terraform/cdk.tf.json'), 'cdk.tf.json').problems).toEqual([]);
  });
});

describe('jellyfin: compose', () => {
  it('runs the pinned image with the render node and the library read-only', () => {
    expect(app.image).toBe(JELLYFIN_IMAGE);
    expect(app.image).not.toMatch(/:latest$/);
    expect(app.devices).toEqual(['/dev/dri/renderD128:/dev/dri/renderD128']);
    expect(app.volumes).toContain('/media:/media:ro');
    expect(app.network_mode).toBe('host');
  });
  it('passes the Compose specification\'s schemas', () => {
    expect(validateArtifact('compose', composeText, 'compose.yml').problems).toEqual([]);
  });
});

describe('jellyfin: route', () => {
  it('routes jellyfin.woodhead.tech to :8096 with the application\'s own login (no forward auth)', () => {
    const routes = parse(s.text('files/traefik/etc/traefik/dynamic/jellyfin.yml'));
    expect(routes.http.routers.jellyfin).toMatchObject({ rule: 'Host(`jellyfin.woodhead.tech`)', entryPoints: ['websecure'] });
    expect(routes.http.routers.jellyfin.middlewares).toBeUndefined();
    expect(routes.http.services.jellyfin.loadBalancer.servers).toEqual([{ url: 'http://192.168.86.24:8096' }]);
  });
  it('is declared own auth and not an admin surface, and needs no Authentik blueprint', async () => {
    const { home } = await synthesizeThisSite();
    expect(home.byName.get('jellyfin')!.routes.map((r) => [r.auth, r.admin, r.probePath])).toEqual([['app', false, '/health']]);
    expect([...s.files.keys()].some((k) => k.includes('blueprints'))).toBe(false);
  });
  it('has no problem in the whole-site synthesis except truenas not yet being a package', async () => {
    const all = await synthesizeThisSite();
    const landed = all.home.byName.has('truenas');
    expect(all.problems.filter((p) => p.source === 'packages/jellyfin' && !(p.code === 'UnknownDependency' && p.received === 'truenas' && !landed))).toEqual([]);
  });
});
