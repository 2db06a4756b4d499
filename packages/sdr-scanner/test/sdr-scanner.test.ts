import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fixtureSite, placementOf, synthesizeFor } from '@homelab/core/testing';
import { validateArtifact } from '../../../libs/core/src/validate/index.ts';
import sdr, { PLACEHOLDER_PROFILE, RDIO_SCANNER_IMAGE, SNO911, TRUNK_RECORDER_IMAGE, missingRadioParameters, trunkRecorderConfig } from '../src/index.ts';

const s = await synthesizeFor(fixtureSite, 'sdr-scanner');
const here = placementOf(fixtureSite, 'sdr-scanner');
const ct = s.json('terraform/cdk.tf.json').resource.proxmox_virtual_environment_container['sdr-scanner'];
const composeText = s.text('files/sdr-scanner/opt/stacks/sdr-scanner/compose.yml');
const services = parse(composeText).services;
const configText = s.text('files/sdr-scanner/opt/stacks/sdr-scanner/trunk-recorder/config.json');
const config = JSON.parse(configText);

describe('sdr-scanner: infrastructure', () => {
  it('is its address-plan LXC with CPU weight 800 (low), hardware-bound', () => {
    expect(ct).toMatchObject({ vm_id: here.vmid, node_name: here.node, cpu: { units: 800 }, features: { nesting: true } });
    expect(ct.initialization.ip_config[0].ipv4).toEqual({ address: here.cidr, gateway: here.gateway });
    expect(ct.tags).toContain('group-special');
  });
  it('passes the RTL-SDR through as a /dev/bus/usb node, not as a vendor:product id (root step on its node)', () => {
    const devs = Object.entries(s.rootSettings(here.vmid!)).filter(([k]) => /^dev\d+$/.test(k));
    expect(devs.map(([k]) => k)).toEqual(['dev0']);
    const [path, ...options] = devs[0]![1].split(',');
    expect(path).toMatch(/^\/dev\/bus\/usb\/\d{3}\/\d{3}$/);
    expect(path).toBe(fixtureSite.nodes.find((n) => n.name === here.node)!.devices!['rtl-sdr']!.path);
    expect(options).toEqual(['mode=0660']);
    expect(services['trunk-recorder'].devices).toEqual([`${path}:${path}`]);
    expect(ct.device_passthrough).toBeUndefined();
    expect(ct.lifecycle.ignore_changes).toContain('device_passthrough');
  });
  it('is valid Terraform JSON for bpg/proxmox', () => {
    expect(validateArtifact('terraform-json', s.text('terraform/cdk.tf.json'), 'cdk.tf.json').problems).toEqual([]);
  });
});

describe('sdr-scanner: Trunk Recorder configuration', () => {
  it('decodes one P25 system, sno911, on an RTL-SDR at 2.4 MS/s', () => {
    expect(config.ver).toBe(2);
    expect(config.systems).toEqual([expect.objectContaining({ shortName: 'sno911', type: 'p25', modulation: 'qpsk', audioArchive: false })]);
    expect(config.sources[0]).toMatchObject({ driver: 'osmosdr', device: 'rtl=0', rate: 2_400_000 });
  });
  it('uses the placeholder control channels, and no invented frequency or gain', () => {
    expect(config.systems[0].control_channels).toEqual([...SNO911.controlChannelsHz]);
    if (missingRadioParameters(SNO911).includes('controlChannelsHz')) expect(config.sources[0].center).toBeUndefined();
    if (SNO911.gainDb === undefined) expect(config.sources[0].gain).toBeUndefined();
  });
  it('uploads to rdio-scanner with the API key by reference, in a 0600 file', () => {
    expect(config.plugins).toEqual([{
      name: 'rdioscanner_uploader', library: 'librdioscanner_uploader.so', server: 'http://rdio-scanner:3000',
      systems: [{ shortName: 'sno911', apiKey: "{{ lookup('ansible.builtin.env', 'SDR_RDIO_API_KEY') }}", systemId: 1 }],
    }]);
    const target = s.json('manifest.json').artifacts.find((x: any) => x.target?.path === '/opt/stacks/sdr-scanner/trunk-recorder/config.json').target;
    expect(target.mode).toBe('0600');
    expect(s.json('manifest.json').env).toContain('SDR_RDIO_API_KEY');
  });
  it('is valid JSON', () => {
    expect(validateArtifact('json', configText, 'config.json').ok).toBe(true);
  });
  it('centres the SDR between the control channels once they are known', () => {
    const filled = trunkRecorderConfig({ ...SNO911, controlChannelsHz: [851_000_000, 852_000_000], gainDb: 36 }, { rdioServer: 'http://x:3000', apiKey: 'k' }) as any;
    expect(filled.sources[0]).toMatchObject({ center: 851_500_000, gain: 36 });
    expect(missingRadioParameters({ ...SNO911, controlChannelsHz: [851_000_000], gainDb: 36 })).toEqual([]);
    expect(missingRadioParameters({ ...SNO911, controlChannelsHz: [], gainDb: undefined })).toEqual(['controlChannelsHz', 'gainDb']);
  });
});

describe('sdr-scanner: compose', () => {
  it('keeps Trunk Recorder stopped (Compose profile) exactly while radio parameters are missing', () => {
    const missing = missingRadioParameters(SNO911);
    expect(services['trunk-recorder'].profiles).toEqual(missing.length ? [PLACEHOLDER_PROFILE] : undefined);
    expect(services['rdio-scanner'].profiles).toBeUndefined();
  });
  it('pins Trunk Recorder; rdio-scanner is the one declared exception (upstream publishes only latest)', () => {
    expect(services['trunk-recorder'].image).toBe(TRUNK_RECORDER_IMAGE);
    expect(TRUNK_RECORDER_IMAGE).toMatch(/:\d+\.\d+\.\d+$/);
    expect(services['rdio-scanner'].image).toBe(RDIO_SCANNER_IMAGE);
  });
  it('mounts config.json read-only and publishes rdio-scanner on 3000', () => {
    expect(services['trunk-recorder'].volumes).toContain('./trunk-recorder/config.json:/app/config.json:ro');
    expect(services['rdio-scanner'].ports).toEqual(['3000:3000']);
  });
  it('passes the Compose specification\'s schemas', () => {
    expect(validateArtifact('compose', composeText, 'compose.yml').problems).toEqual([]);
  });
});

describe('sdr-scanner: route', () => {
  it('puts rdio-scanner behind Authentik', () => {
    const routes = parse(s.text('files/traefik/etc/traefik/dynamic/sdr-scanner.yml'));
    expect(routes.http.routers['sdr-scanner-scanner']).toMatchObject({ rule: `Host(\`scanner.${fixtureSite.domain}\`)`, middlewares: ['authentik@file'] });
    expect(routes.http.services['sdr-scanner-scanner'].loadBalancer.servers).toEqual([{ url: `http://${here.ip}:3000` }]);
  });
});
