/**
 * klipperHostService, the one definition every Klipper printer package is (klipper-1, klipper-2):
 * asserted once for each printer of the catalog, against the fixture site, so a printer package's
 * own test holds only what is its own.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fixtureSite, placementOf, synthesizeFor } from '../../src/testing/index.ts';

const PRINTERS = ['klipper-1', 'klipper-2'];
const traefik = placementOf(fixtureSite, 'traefik');

describe.each(PRINTERS)('%s, a Klipper printer host', async (name) => {
  const s = await synthesizeFor(fixtureSite, name);
  const pi = placementOf(fixtureSite, name);
  const fqdn = `${name}.${fixtureSite.domain}`;
  const conf = s.text(`files/${name}/home/pi/printer_data/config/moonraker.conf`);

  describe('an external host', () => {
    it('has no Terraform: it is not a Proxmox guest', () => {
      expect(s.files.has('terraform/cdk.tf.json')).toBe(false);
    });
    it('is reached over SSH at its address-plan address', () => {
      expect(parse(s.text('ansible/inventory.yml')).all.hosts[name]).toMatchObject({ ansible_host: pi.ip });
    });
    it('is its external host, in the hardware-bound group', () => {
      expect([s.service.kind, s.service.group, s.service.externalHost?.name]).toEqual(['external', 'special', pi.host]);
      expect(fixtureSite.groups[s.service.group]?.hardwareBound).toBe(true);
    });
  });

  describe('moonraker.conf', () => {
    it('trusts loopback and the ingress only, and allows the route\'s origin', () => {
      expect(conf).toContain(`[authorization]\ntrusted_clients:\n    127.0.0.0/8\n    ::1/128\n    ${traefik.ip}/32\ncors_domains:\n`);
      expect(conf).toContain(`    https://${fqdn}`);
      expect(conf).not.toContain(fixtureSite.network.cidr);
    });
    it('listens on 7125 and keeps Mainsail updatable', () => {
      expect(conf).toContain('[server]\nhost: 0.0.0.0\nport: 7125');
      expect(conf).toContain('[update_manager mainsail]\ntype: web\nchannel: stable\nrepo: mainsail-crew/mainsail\npath: ~/mainsail');
    });
    it('says it is generated and never ships printer.cfg', () => {
      expect(conf.startsWith('# ')).toBe(true);
      expect([...s.files.keys()].some((k) => k.endsWith('printer.cfg'))).toBe(false);
    });
    it('is installed as the pi user, in a directory pi keeps, and restarts Moonraker', () => {
      const plays = parse(s.text('ansible/playbook.yml')) as { hosts: string; tasks: Record<string, any>[]; handlers?: Record<string, any>[] }[];
      const play = plays.find((p) => p.hosts === name)!;
      const install = play.tasks.find((t) => t.name === 'Install /home/pi/printer_data/config/moonraker.conf')!;
      expect(install['ansible.builtin.copy']).toMatchObject({ owner: 'pi', group: 'pi', mode: '0644' });
      expect(install.notify).toEqual(['Restart moonraker.service']);
      expect(play.handlers?.find((h) => h.name === 'Restart moonraker.service')?.['ansible.builtin.systemd']).toMatchObject({ name: 'moonraker.service', state: 'restarted' });
      const rootDirs = play.tasks.find((t) => t.name === 'Create configuration directories')?.loop ?? [];
      expect(rootDirs).not.toContain('/home/pi/printer_data/config');
      const owned = play.tasks.find((t) => t.name === 'Create configuration directories owned by pi');
      expect(owned?.['ansible.builtin.file']).toMatchObject({ owner: 'pi', group: 'pi' });
      expect(owned?.loop).toEqual(['/home/pi/printer_data/config']);
    });
  });

  describe('route', () => {
    it('puts Mainsail behind Authentik, to the Pi\'s nginx', () => {
      const routes = parse(s.text(`files/traefik/etc/traefik/dynamic/${name}.yml`));
      expect(routes.http.routers[`${name}-mainsail`]).toMatchObject({ rule: `Host(\`${fqdn}\`)`, middlewares: ['authentik@file'] });
      expect(routes.http.services[`${name}-mainsail`].loadBalancer.servers).toEqual([{ url: `http://${pi.ip}:80` }]);
    });
  });

  describe('only the ingress reaches Mainsail (issue 9)', () => {
    const guard = s.text(`files/${name}/etc/homelab/ingress-guard.nft`);
    it('drops Mainsail and Moonraker for every address but the ingress\'s, in a table of its own', () => {
      expect(guard).toContain(`tcp dport { 80, 7125 } ip saddr != { ${traefik.ip} } drop`);
      expect(guard).toContain('table inet homelab_guard {');
      expect(guard).toContain('iif "lo" accept');
    });
    it('is a ruleset nft accepts', () => {
      const dir = mkdtempSync(join(tmpdir(), 'guard-'));
      writeFileSync(join(dir, 'g.nft'), guard);
      // -c: parse and check against the kernel without changing anything.
      expect(() => execFileSync('nft', ['-c', '-f', join(dir, 'g.nft')], { stdio: 'pipe' })).not.toThrow();
    });
    it('is loaded at boot by its unit, and nftables is installed for it', () => {
      expect(s.text(`files/${name}/etc/systemd/system/homelab-ingress-guard.service`)).toContain('ExecStart=/usr/sbin/nft -f /etc/homelab/ingress-guard.nft');
      expect(parse(s.text('ansible/playbook.yml')).flatMap((p: any) => p.tasks ?? []).some((t: any) => JSON.stringify(t).includes('nftables'))).toBe(true);
    });
  });
});
