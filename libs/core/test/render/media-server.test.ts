/**
 * mediaServerService, the one definition the media server packages are (plex, jellyfin): asserted
 * once for each of them against the fixture site; a package's own test holds what is its own
 * (image, port, environment).
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateArtifact } from '../../src/validate/index.ts';
import { fixtureSite, placementOf, synthesizeFor } from '../../src/testing/index.ts';

const SERVERS = ['plex', 'jellyfin'];

describe.each(SERVERS)('%s, a media server', async (name) => {
  const s = await synthesizeFor(fixtureSite, name);
  const at = placementOf(fixtureSite, name);
  const vmid = at.vmid!;
  const ct = s.json('terraform/cdk.tf.json').resource.proxmox_virtual_environment_container[name];
  const composeText = s.text(`files/${name}/opt/stacks/${name}/compose.yml`);
  const app = parse(composeText).services[name];
  const gpu = fixtureSite.nodes.find((n) => n.name === at.node)!.devices.igpu!;
  const route = s.service.routes[0]!;

  describe('infrastructure', () => {
    it('is an unprivileged Docker LXC at its address-plan VMID, node and address, with the CPU weight of its tier', () => {
      expect(ct).toMatchObject({ vm_id: vmid, node_name: at.node, cpu: { units: fixtureSite.tiers[s.service.tier]!.default }, unprivileged: true, features: { nesting: true } });
      expect(s.rootSettings(vmid).features).toBe('keyctl=1,nesting=1');
      expect(ct.initialization.ip_config[0].ipv4).toEqual({ address: at.cidr, gateway: at.gateway });
    });
    it('passes its node\'s iGPU render node through (root step)', () => {
      expect(s.rootSettings(vmid).dev0).toBe(`${gpu.id},mode=0660`);
      expect(Object.keys(s.rootSettings(vmid)).filter((k) => k.startsWith('dev'))).toEqual(['dev0']);
      expect(ct.device_passthrough).toBeUndefined();
      expect(ct.lifecycle.ignore_changes).toContain('device_passthrough');
    });
    it('bind-mounts the media share read-only from the host NFS mount (root step)', () => {
      const mps = Object.entries(s.rootSettings(vmid)).filter(([k]) => /^mp\d+$/.test(k));
      expect(mps).toEqual([['mp0', `${fixtureSite.storage.nfs.hostMountPath}/media,backup=0,mp=/media,ro=1`]]);
      expect(ct.mount_point).toBeUndefined();
      expect(ct.lifecycle.ignore_changes).toContain('mount_point');
    });
    it('is valid Terraform JSON for bpg/proxmox', () => {
      expect(validateArtifact('terraform-json', s.text('terraform/cdk.tf.json'), 'cdk.tf.json').problems).toEqual([]);
    });
  });

  describe('compose', () => {
    it('runs a pinned image on the host network with the render node and the library read-only', () => {
      expect(app.image).toMatch(/:[^:]+$/);
      expect(app.image).not.toMatch(/:latest$/);
      expect(app.devices).toEqual([`${gpu.id}:${gpu.id}`]);
      expect(app.volumes[0]).toBe('./config:/config');
      expect(app.volumes.at(-1)).toBe('/media:/media:ro');
      expect(app.network_mode).toBe('host');
      expect(app.environment).toMatchObject({ PUID: '1000', PGID: '1000' });
    });
    it('passes the Compose specification\'s schemas', () => {
      expect(validateArtifact('compose', composeText, 'compose.yml').problems).toEqual([]);
    });
  });

  describe('route', () => {
    it('routes its name under the site\'s domain to its port with the application\'s own login (no forward auth)', () => {
      const routes = parse(s.text(`files/traefik/etc/traefik/dynamic/${name}.yml`));
      expect(routes.http.routers[name]).toMatchObject({ rule: `Host(\`${name}.${fixtureSite.domain}\`)`, entryPoints: ['websecure'] });
      expect(routes.http.routers[name].middlewares).toBeUndefined();
      expect(routes.http.services[name].loadBalancer.servers).toEqual([{ url: `http://${at.ip}:${route.port}` }]);
    });
    it('is declared own auth and not an admin surface, and needs no Authentik blueprint', () => {
      expect([route.auth, route.admin]).toEqual(['app', false]);
      expect([...s.files.keys()].some((k) => k.includes('blueprints'))).toBe(false);
    });
    it('is open to the LAN on its port only', () => {
      expect(s.service.ports.map((p) => [p.port, p.from])).toEqual([[route.port, ['lan']]]);
    });
  });
});
