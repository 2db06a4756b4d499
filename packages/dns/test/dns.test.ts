import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CloudflareDnsRecord } from '@homelab/core';
import { fixtureSite, synthesizeFor } from '@homelab/core/testing';
import { site } from '@homelab/site';
import { WORKSPACE_ROOT } from '@homelab/site/testing';
import { validateArtifact } from '../../../libs/core/src/validate/index.ts';

const d = await synthesizeFor(fixtureSite, 'dns');
const s = d.synthesis;
const tf = d.json('terraform/cdk.tf.json');
const records = tf.resource.cloudflare_dns_record as Record<string, any>;
const byName = (name: string) => Object.values(records).find((r) => r.name === name);

describe('dns: Cloudflare records', () => {
  it('has one record per site record', () => {
    expect(Object.values(records).map((r) => r.name).sort()).toEqual(s.home.site.dns.records.map((r) => r.name).sort());
  });
  it.each(fixtureSite.dns.records.map((r) => [r.name, r.proxied, r.type, r.content] as const))('%s: proxied %s, %s → %s, automatic TTL', (name, proxied, type, content) => {
    expect(byName(name)).toMatchObject({ proxied, type, content, ttl: 1, zone_id: '${var.cloudflare_zone_id}' });
  });
  it('declares the zone id and the public address as variables, set at apply time', () => {
    expect(Object.keys(tf.variable).sort()).toEqual(['cloudflare_zone_id', 'public_ip']);
    expect(tf.variable.public_ip).toMatchObject({ type: 'string', nullable: false });
  });
  it('uses the Cloudflare v5 provider with an empty block: the token comes from CLOUDFLARE_API_TOKEN', () => {
    expect(tf.terraform.required_providers).toEqual({ cloudflare: { source: 'cloudflare/cloudflare', version: '~> 5.0' } });
    expect(tf.provider.cloudflare).toEqual([{}]);
    expect(d.text('terraform/cdk.tf.json')).not.toMatch(/api_token|api_key/);
  });
  it('asks deploy for the Cloudflare token only, not for the Proxmox credentials', () => {
    expect(d.json('manifest.json').env).toEqual(['CLOUDFLARE_API_TOKEN']);
  });
  it('a proxied record with a fixed TTL is refused at synth', () => {
    expect(() => new CloudflareDnsRecord(undefined as never, 'x', { zone_id: 'z', name: 'a.example', type: 'A', content: '192.0.2.1', proxied: true, ttl: 300 })).toThrow(/ttl 1/);
  });
  it('passes the Terraform JSON schema', () => {
    expect(validateArtifact('terraform-json', d.text('terraform/cdk.tf.json'), 'cdk.tf.json').problems).toEqual([]);
  });
});

/** The README and the runbook document this homelab's router, so they are read against this site's facts. */
describe('dns: the router port forwards are documented as the one manual step', () => {
  const docs = {
    README: readFileSync(new URL('../README.md', import.meta.url), 'utf8'),
    runbook: readFileSync(`${WORKSPACE_ROOT}/docs/runbooks/router-port-forwards.md`, 'utf8'),
  };
  const forwards = site.portForwards.map((f) => ({ ...f, ip: site.addressPlan[f.service]!.ip }));
  it.each(['README', 'runbook'] as const)('the %s lists every forward of the site', (doc) => {
    expect(forwards.length).toBeGreaterThan(0);
    for (const f of forwards) {
      expect(docs[doc]).toMatch(new RegExp(`\\| ${f.port} \\| ${f.protocol.toUpperCase()} \\| ${f.ip.replace(/\./g, '\\.')} \\| ${f.service}`));
    }
  });
});
