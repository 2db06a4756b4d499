import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { synthesized, synthesizeThisSite } from '@homelab/site/testing';

const SERVICE = 'klipper-1';
const IP = '192.168.86.132';
const s = await synthesized(SERVICE);
const conf = s.text(`files/${SERVICE}/home/pi/printer_data/config/moonraker.conf`);

describe(`${SERVICE}: an external host`, () => {
  it('has no Terraform: it is not a Proxmox guest', () => {
    expect(s.files.has('terraform/cdk.tf.json')).toBe(false);
  });
  it(`is reached over SSH at its own address, ${IP}`, () => {
    const inv = parse(s.text('ansible/inventory.yml'));
    expect(inv.all.hosts[SERVICE]).toMatchObject({ ansible_host: IP });
  });
});

describe(`${SERVICE}: moonraker.conf`, () => {
  it('trusts loopback and Traefik only, and allows the route\'s origin', () => {
    expect(conf).toContain('[authorization]\ntrusted_clients:\n    127.0.0.0/8\n    ::1/128\n    192.168.86.20/32\ncors_domains:\n');
    expect(conf).toContain(`    https://${SERVICE}.woodhead.tech`);
    expect(conf).not.toContain('192.168.86.0/24');
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
    const play = plays.find((p) => p.hosts === SERVICE)!;
    const install = play.tasks.find((t) => t.name === 'Install /home/pi/printer_data/config/moonraker.conf')!;
    expect(install['ansible.builtin.copy']).toMatchObject({ owner: 'pi', group: 'pi', mode: '0644' });
    expect(install.notify).toEqual(['Restart moonraker.service']);
    expect(play.handlers?.find((h) => h.name === 'Restart moonraker.service')?.['ansible.builtin.systemd']).toMatchObject({ name: 'moonraker.service', state: 'restarted' });
    const rootDirs = play.tasks.find((t) => t.name === 'Create configuration directories')?.loop ?? [];
    expect(rootDirs).not.toContain('/home/pi/printer_data/config');
    expect(play.tasks.find((t) => t.name === 'Create configuration directories owned by pi')?.['ansible.builtin.file']).toMatchObject({ owner: 'pi', group: 'pi' });
    expect(play.tasks.find((t) => t.name === 'Create configuration directories owned by pi')?.loop).toEqual(['/home/pi/printer_data/config']);
  });
});

describe(`${SERVICE}: route`, () => {
  it('puts Mainsail behind Authentik, to the Pi\'s nginx', () => {
    const routes = parse(s.text(`files/traefik/etc/traefik/dynamic/${SERVICE}.yml`));
    const name = `${SERVICE}-mainsail`;
    expect(routes.http.routers[name]).toMatchObject({ rule: `Host(\`${SERVICE}.woodhead.tech\`)`, middlewares: ['authentik@file'] });
    expect(routes.http.services[name].loadBalancer.servers).toEqual([{ url: `http://${IP}:80` }]);
  });
  it('is in the hardware-bound group, with no problem', async () => {
    const all = await synthesizeThisSite();
    const svc = all.home.byName.get(SERVICE)!;
    expect([svc.kind, svc.group, svc.externalHost?.name]).toEqual(['external', 'special', SERVICE]);
    expect(all.problems.filter((p) => p.source === `packages/${SERVICE}`)).toEqual([]);
  });
});

describe(`${SERVICE}: only Traefik reaches Mainsail (issue 9)`, () => {
  const guard = s.text(`files/${SERVICE}/etc/homelab/ingress-guard.nft`);
  it('drops Mainsail and Moonraker for every address but Traefik\'s, in a table of its own', () => {
    expect(guard).toContain('tcp dport { 80, 7125 } ip saddr != { 192.168.86.20 } drop');
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
    expect(s.text(`files/${SERVICE}/etc/systemd/system/homelab-ingress-guard.service`)).toContain('ExecStart=/usr/sbin/nft -f /etc/homelab/ingress-guard.nft');
    expect(parse(s.text('ansible/playbook.yml')).flatMap((p: any) => p.tasks ?? []).some((t: any) => JSON.stringify(t).includes('nftables'))).toBe(true);
  });
});
