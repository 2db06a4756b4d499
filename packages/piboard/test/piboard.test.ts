import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fixtureSite, placementOf, synthesizeFor } from '@homelab/core/testing';

const p = await synthesizeFor(fixtureSite, 'piboard');
const { home } = p.synthesis;
const pi = placementOf(fixtureSite, 'piboard');

describe('piboard: the Raspberry Pi', () => {
  it('is its external host at its address-plan address, configured over SSH, with no Proxmox resource', () => {
    const svc = home.byName.get('piboard')!;
    expect(svc).toMatchObject({ kind: 'external', ip: pi.ip, group: 'observability', dependsOn: ['monitoring'] });
    expect(svc.externalHost?.name).toBe(pi.host);
    expect(svc.guests).toEqual([]);
    expect(p.files.has('terraform/cdk.tf.json')).toBe(false);
    expect(parse(p.text('ansible/inventory.yml')).all.hosts).toEqual({ piboard: expect.objectContaining({ ansible_host: pi.ip }) });
  });
});

describe('piboard: dashboard and kiosk', () => {
  const unit = p.text('files/piboard/etc/systemd/system/piboard.service');
  const kiosk = p.text('files/piboard/etc/systemd/system/piboard-kiosk.service');
  it('runs the dashboard against monitoring\'s Prometheus', () => {
    expect(unit).toContain(`Environment=PROMETHEUS_URL=http://${placementOf(fixtureSite, 'monitoring').ip}:9090`);
    expect(unit).toContain('ExecStart=/usr/local/bin/piboard');
    expect(unit).toMatch(/^\[Install\]\nWantedBy=multi-user\.target$/m);
  });
  it('shows it full screen on the 800×480 Waveshare display', () => {
    expect(kiosk).toContain('--kiosk');
    expect(kiosk).toContain('--window-size=800,480 http://127.0.0.1:8080/');
    expect(kiosk).toContain('TTYPath=/dev/tty1');
  });
  it('enables and starts both units and installs the kiosk packages', () => {
    const play = (parse(p.text('ansible/playbook.yml')) as any[])[0];
    const names = play.tasks.map((t: any) => t.name);
    expect(names).toEqual(expect.arrayContaining(['Enable and start piboard.service', 'Enable and start piboard-kiosk.service', 'Reload systemd units']));
    expect(play.tasks.find((t: any) => t['ansible.builtin.apt'])['ansible.builtin.apt'].name).toEqual(['cage', 'chromium-browser']);
  });
});
