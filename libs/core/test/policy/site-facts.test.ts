import { describe, expect, it } from 'vitest';
import { expectNone, only, withSite } from './helpers.ts';

describe('site-facts', () => {
  const ALL = ['InvalidGateway', 'GatewayOutsideLan', 'GatewayIsNetworkOrBroadcast', 'DuplicateNodeName', 'DuplicateHostName', 'NodeOutsideLan', 'ApiVipOutsideLan', 'MetallbPoolOutsideLan', 'MetallbPoolReversed', 'DomainOutsideDnsZone'];
  it('passes the lab site', () => {
    expectNone(withSite((s) => s), ...ALL);
  });
  it('GatewayOutsideLan, InvalidGateway, GatewayIsNetworkOrBroadcast', () => {
    expect(only(withSite((s) => ({ ...s, network: { ...s.network, gateway: '10.21.0.1' } })), 'GatewayOutsideLan')).toEqual([expect.objectContaining({ source: 'libs/site', path: 'network.gateway', received: '10.21.0.1' })]);
    expect(only(withSite((s) => ({ ...s, network: { ...s.network, gateway: 'router' } })), 'InvalidGateway')).toHaveLength(1);
    expect(only(withSite((s) => ({ ...s, network: { ...s.network, gateway: '10.20.0.255' } })), 'GatewayIsNetworkOrBroadcast')).toHaveLength(1);
  });
  it('DuplicateNodeName, named as such; DuplicateHostName for a node and a Pi of one name', () => {
    const problems = withSite((s) => ({ ...s, nodes: [s.nodes[0]!, { ...s.nodes[1]!, name: s.nodes[0]!.name }] }));
    expect(only(problems, 'DuplicateNodeName')).toEqual([expect.objectContaining({ path: 'nodes[1].name', received: 'n1' })]);
    expect(only(withSite((s) => ({ ...s, externalHosts: [{ ...s.externalHosts[0]!, name: 'n2' }] })), 'DuplicateHostName').map((p) => p.path)).toEqual(['externalHosts[0].name']);
  });
  it('NodeOutsideLan, ApiVipOutsideLan, MetallbPoolOutsideLan, MetallbPoolReversed', () => {
    expect(only(withSite((s) => ({ ...s, nodes: [{ ...s.nodes[0]!, ip: '192.0.2.11' }, s.nodes[1]!] })), 'NodeOutsideLan').map((p) => p.path)).toEqual(['nodes[0].ip']);
    expect(only(withSite((s) => ({ ...s, kubernetes: { ...s.kubernetes!, apiVip: '10.30.0.100' } })), 'ApiVipOutsideLan')).toHaveLength(1);
    expect(only(withSite((s) => ({ ...s, kubernetes: { ...s.kubernetes!, metallbPool: { start: '10.20.0.150', end: '10.20.1.10' } } })), 'MetallbPoolOutsideLan').map((p) => p.path)).toEqual(['kubernetes.metallbPool.end']);
    expect(only(withSite((s) => ({ ...s, kubernetes: { ...s.kubernetes!, metallbPool: { start: '10.20.0.199', end: '10.20.0.150' } } })), 'MetallbPoolReversed')).toHaveLength(1);
  });
  it('DomainOutsideDnsZone: a wrong domain is reported once, at the site', () => {
    const problems = withSite((s) => ({ ...s, domain: 'exmaple.test' }));
    expect(only(problems, 'DomainOutsideDnsZone')).toEqual([expect.objectContaining({ source: 'libs/site', path: 'domain', received: 'exmaple.test' })]);
    // Not a missing DNS record per name derived from the domain, nor anything downstream.
    expect(problems.map((p) => p.code)).toEqual(['DomainOutsideDnsZone']);
  });
});
