/**
 * Parse for the site: checks the runtime shape of a site module's export (sites are TypeScript,
 * but HOMELAB_SITE may name a plain-JS module or a cast). Only the shape: the values are checked
 * by the policy rules. Reports every shape problem; never throws.
 */
import type { ProblemCollector } from './collector.ts';
import type { Site } from './site.ts';

type Check = 'string' | 'number' | 'list' | 'record';

/** Field → expected shape, for the top level and the objects below it. */
const SHAPE: readonly [path: string, check: Check][] = [
  ['name', 'string'], ['domain', 'string'],
  ['network', 'record'], ['network.cidr', 'string'], ['network.gateway', 'string'], ['network.dns', 'list'], ['network.bridge', 'string'],
  ['nodes', 'list'], ['externalHosts', 'list'],
  ['storage', 'record'], ['storage.local', 'string'], ['storage.images', 'string'], ['storage.ceph', 'record'], ['storage.nfs', 'record'],
  ['addressPlan', 'record'],
  ['kubernetes', 'record'], ['kubernetes.apiVip', 'string'], ['kubernetes.metallbPool', 'record'],
  ['wireguard', 'record'], ['wireguard.subnet', 'string'], ['wireguard.port', 'number'], ['wireguard.endpointHost', 'string'],
  ['portForwards', 'list'], ['dns', 'record'], ['dns.zone', 'string'], ['dns.records', 'list'],
  ['groups', 'record'], ['overcommit', 'record'], ['tiers', 'record'],
  ['providerEnv', 'record'], ['providerEnv.endpoint', 'string'], ['providerEnv.apiToken', 'string'],
  ['assumptions', 'list'],
];

const WHAT: Record<Check, string> = { string: 'a string', number: 'a number', list: 'a list', record: 'an object' };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function matches(v: unknown, check: Check): boolean {
  if (check === 'list') return Array.isArray(v);
  if (check === 'record') return isRecord(v);
  return typeof v === check;
}

/** Returns true when the site is well-formed enough to build the model on. */
export function parseSite(raw: unknown, out: ProblemCollector): boolean {
  const before = out.problems.length;
  if (!isRecord(raw)) {
    out.report('', 'InvalidSite', 'the site module does not export a site object', typeof raw, 'Export the site as the default export (or as "site"), shaped like Site in libs/core/src/model/site.ts.');
    return false;
  }
  for (const [path, check] of SHAPE) {
    const keys = path.split('.');
    const parent = keys.slice(0, -1).reduce<unknown>((v, k) => (isRecord(v) ? v[k] : undefined), raw);
    if (!isRecord(parent)) continue; // the parent is reported already
    const value = parent[keys.at(-1)!];
    if (!matches(value, check)) {
      out.report(path, 'InvalidSite', `${path} must be ${WHAT[check]}`, value === undefined ? undefined : typeof value, `Set ${path} as the Site type (libs/core/src/model/site.ts) describes it.`);
    }
  }
  const each = (list: string, fields: readonly [string, Check][]) => {
    const items = raw[list];
    if (!Array.isArray(items)) return;
    items.forEach((item, i) => {
      if (!isRecord(item)) {
        out.report(`${list}[${i}]`, 'InvalidSite', `each entry of ${list} is an object`, item, `Fix ${list}[${i}].`);
        return;
      }
      for (const [key, check] of fields) {
        if (!matches(item[key], check)) out.report(`${list}[${i}].${key}`, 'InvalidSite', `${key} must be ${WHAT[check]}`, item[key], `Fix ${list}[${i}].${key}.`);
      }
    });
  };
  each('nodes', [['name', 'string'], ['ip', 'string'], ['cores', 'number'], ['memoryMiB', 'number'], ['disks', 'list'], ['devices', 'record']]);
  each('externalHosts', [['name', 'string'], ['ip', 'string'], ['cores', 'number'], ['memoryMiB', 'number']]);
  each('portForwards', [['port', 'number'], ['protocol', 'string'], ['service', 'string']]);
  const records = isRecord(raw.dns) && Array.isArray(raw.dns.records) ? raw.dns.records : [];
  records.forEach((r, i) => {
    if (!isRecord(r) || typeof r.name !== 'string' || typeof r.proxied !== 'boolean') out.report(`dns.records[${i}]`, 'InvalidSite', 'a DNS record is { name, type, content, proxied, comment }', r, `Fix dns.records[${i}].`);
  });
  for (const [name, entry] of Object.entries(isRecord(raw.addressPlan) ? raw.addressPlan : {})) {
    if (!isRecord(entry) || typeof entry.ip !== 'string') out.report(`addressPlan.${name}`, 'InvalidSite', 'an address-plan entry is { node?, vmid?, ip, host? }', entry, `Fix addressPlan.${name}.`);
  }
  for (const [name, group] of Object.entries(isRecord(raw.groups) ? raw.groups : {})) {
    if (!isRecord(group)) out.report(`groups.${name}`, 'InvalidSite', 'a group is { description, alwaysOn?, hardwareBound? }', group, `Fix groups.${name}.`);
  }
  return out.problems.length === before;
}

/** What the model is built on when the site does not parse: nothing, so nothing else is reported. */
export const EMPTY_SITE: Site = {
  name: 'invalid-site', domain: 'invalid.invalid',
  network: { cidr: '0.0.0.0/32', gateway: '0.0.0.0', dns: [], bridge: '' },
  nodes: [], externalHosts: [],
  storage: { local: '', images: '', ceph: { datastore: '', pool: '', size: 0, minSize: 0 }, nfs: { datastore: '', server: '', export: '', hostMountPath: '' } },
  addressPlan: {}, kubernetes: { apiVip: '0.0.0.0', metallbPool: { start: '0.0.0.0', end: '0.0.0.0' } },
  wireguard: { subnet: '0.0.0.0/32', port: 0, endpointHost: '' }, portForwards: [], dns: { zone: '', records: [] },
  groups: {}, overcommit: { cpu: 1, memory: 1 }, tiers: {}, providerEnv: { endpoint: '', apiToken: '' }, assumptions: [],
};
