import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fixtureSite, placementOf, synthesizeFor } from '@homelab/core/testing';

const mc = await synthesizeFor(fixtureSite, 'mailcow');
const { home } = mc.synthesis;
const here = placementOf(fixtureSite, 'mailcow');
const domain = fixtureSite.domain;
const conf = mc.text('files/mailcow/opt/mailcow-dockerized/mailcow.conf');
const settings = Object.fromEntries(conf.split('\n').filter((l) => /^[A-Z_0-9]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
const manifest = mc.json('manifest.json');

describe('mailcow: infrastructure', () => {
  const ct = mc.json('terraform/cdk.tf.json').resource.proxmox_virtual_environment_container.mailcow;
  it('is its address-plan LXC with CPU weight 1024 (normal, assumed), Docker, and room for ClamAV', () => {
    expect(ct).toMatchObject({ vm_id: here.vmid, node_name: here.node, cpu: { units: 1024 }, features: { nesting: true } });
    expect(ct.lifecycle.ignore_changes).toContain('features');
    expect(mc.rootSettings(here.vmid!).features).toBe('keyctl=1,nesting=1');
    expect(ct.initialization.ip_config[0].ipv4.address).toBe(here.cidr);
    expect(ct.memory.dedicated).toBeGreaterThanOrEqual(6144);
  });
  it('declares SMTP, SMTPS, submission and IMAPS, none of them public (the router forwards only 80/443/51820)', () => {
    const ports = home.byName.get('mailcow')!.ports;
    for (const port of [25, 465, 587, 993]) expect(ports).toContainEqual(expect.objectContaining({ port, protocol: 'tcp', public: false }));
    expect(ports.some((p) => p.public)).toBe(false);
  });
});

describe('mailcow: routes', () => {
  const routes = parse(mc.text('files/traefik/etc/traefik/dynamic/mailcow.yml')).http.routers;
  it('serves webmail with mailcow\'s own login, not as an admin surface', () => {
    expect(home.byName.get('mailcow')!.routes.find((r) => r.name === 'mail')).toMatchObject({ auth: 'app', admin: false });
    expect(routes['mailcow-mail'].middlewares).toBeUndefined();
  });
  it('puts the admin UI host behind Authentik', () => {
    expect(routes['mailcow-mail-admin']).toMatchObject({ rule: `Host(\`mail-admin.${domain}\`)`, middlewares: ['authentik@file'] });
  });
});

describe('mailcow: mailcow.conf and install', () => {
  it('is 0600 with every secret by env name', () => {
    expect(manifest.artifacts.find((a: any) => a.target?.path === '/opt/mailcow-dockerized/mailcow.conf').target.mode).toBe('0600');
    expect(settings.DBPASS).toBe("{{ lookup('ansible.builtin.env', 'MAILCOW_DBPASS') }}");
    expect(settings.DBROOT).toBe("{{ lookup('ansible.builtin.env', 'MAILCOW_DBROOT') }}");
    expect(settings.REDISPASS).toBe("{{ lookup('ansible.builtin.env', 'MAILCOW_REDISPASS') }}");
    expect(manifest.env).toEqual(expect.arrayContaining(['MAILCOW_DBPASS', 'MAILCOW_DBROOT', 'MAILCOW_REDISPASS']));
  });
  it('names the mail host and serves HTTP on 8080 for Traefik', () => {
    expect(settings).toMatchObject({ MAILCOW_HOSTNAME: `mail.${domain}`, HTTP_PORT: '8080', HTTP_REDIRECT: 'n', SMTP_PORT: '25', SUBMISSION_PORT: '587', IMAPS_PORT: '993' });
  });
  it('is installed from the mailcow-dockerized repository at a pinned tag by a oneshot unit deploy enables', () => {
    const script = mc.text('files/mailcow/usr/local/sbin/mailcow-install.sh');
    expect(script).toMatch(/version=\d{4}-\d{2}[a-z]?\n/);
    expect(script).toContain('git clone --branch "$version" --depth 1 https://github.com/mailcow/mailcow-dockerized.git "$dir.tmp"');
    expect(script).toContain('ln -sfn mailcow.conf .env');
    const unit = mc.text('files/mailcow/etc/systemd/system/mailcow.service');
    expect(unit).toContain('ExecStart=/usr/bin/docker compose up --detach --remove-orphans');
    const play = (parse(mc.text('ansible/playbook.yml')) as any[]).find((p) => p.hosts === 'mailcow');
    expect(play.tasks.map((t: any) => t.name)).toContain('Enable and start mailcow.service');
    expect(play.tasks.find((t: any) => t.name === 'Install /opt/mailcow-dockerized/mailcow.conf').notify).toEqual(['Restart mailcow.service']);
  });
});
