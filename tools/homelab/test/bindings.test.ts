import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateBindings, OUTPUT } from '../src/bindings/generate-proxmox-bindings.ts';
import { findSchemasDir } from '@homelab/core';

const root = fileURLToPath(new URL('../../..', import.meta.url));

describe('bpg/proxmox bindings', () => {
  const generated = generateBindings(findSchemasDir({ root }));
  it('match the provider schema (regenerate with the generator if this fails)', () => {
    expect(readFileSync(join(root, OUTPUT), 'utf8')).toBe(generated);
  });
  it('type network_device with all eleven keys required, as Terraform JSON needs', () => {
    const line = generated.split('\n').find((l) => l.includes('readonly network_device?'))!;
    for (const key of ['bridge', 'disconnected', 'enabled', 'firewall', 'mac_address', 'model', 'mtu', 'queues', 'rate_limit', 'trunks', 'vlan_id']) {
      expect(line).toContain(`${key}: `);
    }
    const inner = line.slice(line.indexOf('{'), line.lastIndexOf('}'));
    expect(inner).not.toMatch(/\w\?: /);
  });
  it('leave computed-only attributes out and use the short alias for download files', () => {
    expect(generated).not.toMatch(/interface ContainerDisk \{[^}]*path_in_datastore/);
    expect(generated).toContain('"DownloadFile": "proxmox_download_file"');
  });
});
