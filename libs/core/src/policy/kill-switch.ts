import { ProblemCollector } from '../model/collector.ts';
import { factPath } from '../model/facts/fact.ts';
import type { KillSwitchFact } from '../model/facts/kill-switch.ts';
import type { Problem } from '../model/problem.ts';
import type { NormalizedService } from '../model/service.ts';
import { asRecord, filePath, isRecord, readYaml, renderedFiles, type RenderedFile } from './rendered-files.ts';
import type { PolicyRule } from './rule.ts';
import { cidrContains, parseCidr, type Cidr } from '../net/ipv4.ts';

/** Gluetun's exception to its kill switch: destinations reached outside the tunnel. */
export const OUTBOUND_EXCEPTION_ENV = 'FIREWALL_OUTBOUND_SUBNETS';


/** Image names (last path segment, without tag) of download clients. */
const DOWNLOAD_CLIENT_IMAGE = /^(qbittorrent(-nox)?|transmission|deluge|sabnzbd|nzbget|rtorrent|rutorrent|rtorrent-rutorrent|aria2|aria2-pro|pyload|pyload-ng|jdownloader-2)$/;

/**
 * The VPN kill switch (seed 05: "if the VPN tunnel drops, SABnzbd loses connectivity entirely
 * rather than leaking traffic over the plain WAN connection"), checked on the rendered Compose
 * file: every download client runs in the gateway's network namespace with no network or port of
 * its own; the gateway has NET_ADMIN and /dev/net/tun and is not on the host's network; no other
 * service joins a client's namespace; no download client anywhere runs outside a gateway.
 */
export const killSwitchRule: PolicyRule = {
  name: 'kill-switch',
  phase: 'rendered',
  codes: ['DownloadClientOutsideVpn', 'DownloadClientOwnNetwork', 'VpnGatewayWithoutTunnel', 'VpnGatewayOnHostNetwork', 'UndeclaredVpnNamespaceShare', 'KillSwitchServiceMissing', 'UnreadableComposeFile', 'VpnOutboundTooBroad', 'VpnOutboundOutsideLan'],
  description: `Download clients run in the VPN gateway's network namespace (network_mode service:<gateway>) with no ports or networks of their own; the gateway has NET_ADMIN and /dev/net/tun; nothing else shares their namespace; the gateway's ${OUTBOUND_EXCEPTION_ENV} names single LAN hosts (/32), never the whole LAN or anything beyond it.`,
  check: (ctx) => {
    if (!ctx.files) return [];
    const problems: Problem[] = [];
    const composeBy = new Map<NormalizedService, { at: RenderedFile; services: Record<string, unknown> }[]>();
    for (const at of renderedFiles(ctx, 'compose')) {
      if (at.host !== (at.service.sharesGuestWith ?? at.service.name)) continue;
      const read = readYaml(at.file.content);
      if (!read.ok) {
        problems.push({ source: at.service.pkg.dir, path: filePath(at.file), code: 'UnreadableComposeFile', message: `the Compose file is not valid YAML: ${read.error}`, received: at.file.path, fix: 'Render it with toYaml from a composeFile object.' });
        continue;
      }
      composeBy.set(at.service, [...(composeBy.get(at.service) ?? []), { at, services: asRecord(asRecord(read.doc).services) }]);
    }
    for (const s of ctx.services) {
      if (!ctx.files.has(s.name)) continue;
      const out = new ProblemCollector(s.pkg.dir);
      const stacks = composeBy.get(s) ?? [];
      const facts = s.facts.killSwitch;
      if (facts) {
        const stack = stacks.find((st) => facts.gateway in st.services || facts.clients.some((c) => c in st.services));
        if (!stack) {
          out.report(factPath('killSwitch'), 'KillSwitchServiceMissing', `no Compose file of the service runs the gateway "${facts.gateway}" or its clients`, facts, 'Render the gateway and the download clients in the service\'s Compose file, or correct the names in killSwitch.');
        } else {
          checkStack(stack.at, stack.services, facts, out);
          const lan = parseCidr(ctx.site.network.cidr);
          if (lan) checkOutboundException(stack.at, stack.services[facts.gateway], facts.gateway, lan, out);
        }
      }
      // A download client the facts do not name is outside any kill switch.
      for (const { at, services } of stacks) {
        for (const [name, body] of Object.entries(services)) {
          if (facts?.clients.includes(name) || !isDownloadClient(body)) continue;
          const mode = asRecord(body).network_mode;
          if (facts && mode === `service:${facts.gateway}`) continue; // reported as an undeclared share
          out.report(filePath(at.file, 'services', name, 'network_mode'), 'DownloadClientOutsideVpn', `${name} runs a download client (${String(asRecord(body).image)}) outside the VPN gateway's namespace, so it would download over the plain WAN`, mode ?? '(the default network)', facts ? `Set network_mode: "service:${facts.gateway}" and add "${name}" to facts.killSwitch.clients.` : 'Run it behind a VPN gateway (Gluetun) with network_mode: "service:<gateway>" and declare facts.killSwitch = { gateway, clients }.');
        }
      }
      problems.push(...out.problems);
    }
    return problems;
  },
};

function checkStack(at: RenderedFile, services: Record<string, unknown>, facts: KillSwitchFact, out: ProblemCollector): void {
  const path = (name: string, ...keys: string[]) => filePath(at.file, 'services', name, ...keys);
  const gateway = services[facts.gateway];
  const viaGateway = `service:${facts.gateway}`;
  if (!isRecord(gateway)) {
    out.report(path(facts.gateway), 'KillSwitchServiceMissing', `the VPN gateway "${facts.gateway}" is not a service of the Compose file`, Object.keys(services), 'Add the gateway service (Gluetun) or correct facts.killSwitch.gateway.');
  } else {
    const caps = Array.isArray(gateway.cap_add) ? gateway.cap_add.map(String) : [];
    if (!caps.includes('NET_ADMIN') && !caps.includes('ALL')) {
      out.report(path(facts.gateway, 'cap_add'), 'VpnGatewayWithoutTunnel', `the gateway ${facts.gateway} lacks NET_ADMIN, so it cannot create the tunnel or its firewall`, gateway.cap_add, 'Add cap_add: ["NET_ADMIN"].');
    }
    const devices = Array.isArray(gateway.devices) ? gateway.devices : [];
    if (!devices.some((d) => (typeof d === 'string' ? d.split(':')[0] : asRecord(d).source) === '/dev/net/tun')) {
      out.report(path(facts.gateway, 'devices'), 'VpnGatewayWithoutTunnel', `the gateway ${facts.gateway} has no /dev/net/tun, so it cannot create the WireGuard interface`, gateway.devices, 'Add devices: ["/dev/net/tun:/dev/net/tun"] (and pass /dev/net/tun to the LXC).');
    }
    if (gateway.network_mode === 'host' || (typeof gateway.network_mode === 'string' && gateway.network_mode.startsWith('service:'))) {
      out.report(path(facts.gateway, 'network_mode'), 'VpnGatewayOnHostNetwork', `the gateway ${facts.gateway} shares another network namespace (${gateway.network_mode}), so its clients would share a route that bypasses the tunnel`, gateway.network_mode, 'Remove network_mode from the gateway: it owns the namespace its clients join.');
    }
  }
  for (const client of facts.clients) {
    const body = services[client];
    if (!isRecord(body)) {
      out.report(path(client), 'KillSwitchServiceMissing', `download client "${client}" is not a service of the Compose file`, Object.keys(services), 'Correct facts.killSwitch.clients, or add the client to the Compose file.');
      continue;
    }
    if (body.network_mode !== viaGateway) {
      out.report(path(client, 'network_mode'), 'DownloadClientOutsideVpn', `download client ${client} is not in ${facts.gateway}'s network namespace, so it reaches the internet whether or not the VPN is up`, body.network_mode ?? '(the default network)', `Set network_mode: "${viaGateway}".`);
    }
    for (const key of ['ports', 'expose', 'networks'] as const) {
      if (body[key] !== undefined) {
        out.report(path(client, key), 'DownloadClientOwnNetwork', `download client ${client} declares ${key} of its own; in the gateway's namespace only the gateway publishes ports or joins networks`, body[key], `Remove ${key} from ${client}; publish its port on ${facts.gateway} instead.`);
      }
    }
  }
  // Only the declared clients may join the gateway's namespace, and nobody a client's.
  const joined = new Set([facts.gateway, ...facts.clients]);
  for (const [name, body] of Object.entries(services)) {
    if (facts.clients.includes(name) || name === facts.gateway) continue;
    const mode = asRecord(body).network_mode;
    const target = typeof mode === 'string' ? /^(?:service|container):(.+)$/.exec(mode)?.[1] : undefined;
    if (target && joined.has(target)) {
      out.report(path(name, 'network_mode'), 'UndeclaredVpnNamespaceShare', `${name} joins the network namespace of ${target} without being a declared client of the kill switch`, mode, `Reach the clients by the gateway's name (http://${facts.gateway}:<port>) instead, or declare ${name} in facts.killSwitch.clients.`);
    }
  }
}

/**
 * Whatever the exception lists, the clients reach without the tunnel: a subnet there is a hole in
 * the kill switch as wide as the subnet. Only single hosts of the LAN (the ingress that replies go
 * back to, a NAS) belong there.
 */
function checkOutboundException(at: RenderedFile, gateway: unknown, name: string, lan: Cidr, out: ProblemCollector): void {
  const value = environmentOf(gateway)[OUTBOUND_EXCEPTION_ENV];
  if (value === undefined || value === '') return;
  const path = filePath(at.file, 'services', name, 'environment', OUTBOUND_EXCEPTION_ENV);
  for (const entry of value.split(',').map((e) => e.trim()).filter(Boolean)) {
    const cidr = parseCidr(entry.includes('/') ? entry : `${entry}/32`);
    if (!cidr || cidr.prefix < 32) {
      out.report(path, 'VpnOutboundTooBroad', `${name} lets its clients reach ${entry} outside the tunnel${cidr && cidr.prefix <= lan.prefix && cidrContains(cidr, lan.network) ? ', the whole LAN' : ''}: every host there (the hypervisors, the NAS, the router) is one a download client can reach, and anything routed there bypasses the VPN`, value, 'List only the single hosts the clients must reach, as /32 (the ingress that their replies go back to; synth derives it from the model).');
    } else if (!cidrContains(lan, cidr.network)) {
      out.report(path, 'VpnOutboundOutsideLan', `${name} routes ${entry}, which is not on the LAN ${lan.text}, outside the tunnel, so traffic to it leaks over the plain WAN`, value, `Remove ${entry}: only hosts of ${lan.text} may be reached outside the tunnel.`);
    }
  }
}

/** A Compose `environment`, as a map or as a list of KEY=VALUE. */
function environmentOf(service: unknown): Record<string, string> {
  const env = asRecord(service).environment;
  if (Array.isArray(env)) return Object.fromEntries(env.map(String).map((e) => [e.split('=')[0]!, e.slice(e.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(asRecord(env)).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]));
}

function isDownloadClient(body: unknown): boolean {
  const image = asRecord(body).image;
  if (typeof image !== 'string') return false;
  const name = image.split('@')[0]!.split('/').pop()!.split(':')[0]!;
  return DOWNLOAD_CLIENT_IMAGE.test(name);
}
