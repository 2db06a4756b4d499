/**
 * Structural checks for Kubernetes manifests, without the cluster's OpenAPI schema: every
 * document names its apiVersion, kind and metadata.name, and the MetalLB resources we generate
 * carry a usable spec (what MetalLB's admission webhook would refuse at apply time).
 */
import { isIP } from 'node:net';
import type { Problem } from '../model/problem.ts';
import { parseIpv4 } from '../net/ipv4.ts';
import type { YamlDocument } from './yaml-source.ts';

/** `pathOf(index, pointer)` renders a place in document `index`. */
export type DocumentPath = (index: number, pointer: string) => string;

const METALLB_VERSION = 'metallb.io/v1beta1';
const METALLB_KINDS = new Set(['IPAddressPool', 'L2Advertisement']);
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function checkKubernetesDocuments(documents: readonly YamlDocument[], source: string, pathOf: DocumentPath): Problem[] {
  const problems: Problem[] = [];
  if (documents.length === 0) {
    problems.push({ source, path: '', code: 'KubernetesEmpty', message: 'contains no Kubernetes object', fix: 'Render at least one manifest, or drop the file.' });
  }
  for (const { index, value } of documents) {
    const at = (pointer: string): string => pathOf(index, pointer);
    if (!isRecord(value)) {
      problems.push({ source, path: at(''), code: 'KubernetesNotAnObject', message: 'must be a mapping (a Kubernetes object)', received: value, fix: 'Write the object as a YAML mapping.' });
      continue;
    }
    const apiVersion = value.apiVersion;
    const kind = value.kind;
    if (typeof apiVersion !== 'string' || apiVersion === '') {
      problems.push({ source, path: at('/apiVersion'), code: 'KubernetesMissingField', message: 'must have a string apiVersion', received: apiVersion, fix: 'Add apiVersion, e.g. "v1" or "metallb.io/v1beta1".' });
    }
    if (typeof kind !== 'string' || kind === '') {
      problems.push({ source, path: at('/kind'), code: 'KubernetesMissingField', message: 'must have a string kind', received: kind, fix: 'Add kind, e.g. "ConfigMap".' });
    }
    const metadata = value.metadata;
    const name = isRecord(metadata) ? metadata.name : undefined;
    if (typeof name !== 'string' || name === '') {
      problems.push({ source, path: at('/metadata/name'), code: 'KubernetesMissingField', message: 'must have a string metadata.name', received: name, fix: 'Add metadata.name.' });
    } else if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
      problems.push({ source, path: at('/metadata/name'), code: 'KubernetesInvalidName', message: 'must be a DNS subdomain: lowercase letters, digits, "-" and ".", at most 253 characters', received: name, fix: 'Rename the object.' });
    }
    if (typeof kind === 'string' && METALLB_KINDS.has(kind) && typeof apiVersion === 'string' && apiVersion.startsWith('metallb.io/')) {
      problems.push(...checkMetallb(kind, apiVersion, value.spec, source, at));
    }
  }
  return problems;
}

function checkMetallb(kind: string, apiVersion: string, spec: unknown, source: string, at: (pointer: string) => string): Problem[] {
  const problems: Problem[] = [];
  const bad = (pointer: string, message: string, received: unknown, fix: string): void => {
    problems.push({ source, path: at(pointer), code: 'MetallbInvalidSpec', message, received, fix });
  };
  if (apiVersion !== METALLB_VERSION) {
    bad('/apiVersion', `${kind} must use apiVersion ${METALLB_VERSION}`, apiVersion, `Write apiVersion: ${METALLB_VERSION}.`);
  }
  if (kind === 'IPAddressPool') {
    if (!isRecord(spec)) {
      bad('/spec', 'IPAddressPool must have a spec', spec, 'Add spec.addresses.');
      return problems;
    }
    const addresses = spec.addresses;
    if (!Array.isArray(addresses) || addresses.length === 0) {
      bad('/spec/addresses', 'must be a non-empty list of CIDRs or address ranges', addresses, 'List the pool, e.g. ["10.0.0.150-10.0.0.199"] or ["10.0.40.0/28"].');
    } else {
      addresses.forEach((address, i) => {
        if (typeof address !== 'string' || !isAddressRangeOrCidr(address)) {
          bad(`/spec/addresses/${i}`, 'must be a CIDR ("10.0.40.0/28") or a range ("10.0.40.10-10.0.40.20") of one address family', address, 'Write a CIDR or a start-end range.');
        }
      });
    }
    for (const flag of ['autoAssign', 'avoidBuggyIPs'] as const) {
      if (flag in spec && typeof spec[flag] !== 'boolean') bad(`/spec/${flag}`, 'must be boolean', spec[flag], 'Write true or false.');
    }
  } else if (spec !== undefined) {
    // L2Advertisement: an empty spec advertises every pool; given fields must have the right shape.
    if (!isRecord(spec)) {
      bad('/spec', 'must be a mapping', spec, 'Write spec as a mapping or leave it out.');
      return problems;
    }
    for (const field of ['ipAddressPools', 'interfaces'] as const) {
      const list = spec[field];
      if (list !== undefined && (!Array.isArray(list) || list.some((v) => typeof v !== 'string' || v === ''))) {
        bad(`/spec/${field}`, 'must be a list of names', list, `List the ${field === 'ipAddressPools' ? 'IPAddressPool names' : 'interface names'}.`);
      }
    }
    for (const field of ['ipAddressPoolSelectors', 'nodeSelectors'] as const) {
      const list = spec[field];
      if (list !== undefined && (!Array.isArray(list) || list.some((v) => !isRecord(v)))) {
        bad(`/spec/${field}`, 'must be a list of label selectors', list, 'Write each selector as a mapping with matchLabels or matchExpressions.');
      }
    }
  }
  return problems;
}

/** What MetalLB accepts in `addresses`: a CIDR, or `start-end` of the same family with start <= end. */
export function isAddressRangeOrCidr(text: string): boolean {
  const value = text.trim();
  if (value.includes('/')) {
    const [address, bits, ...rest] = value.split('/');
    if (rest.length || address === undefined || bits === undefined || !/^\d{1,3}$/.test(bits)) return false;
    const family = isIP(address);
    return family !== 0 && Number(bits) <= (family === 4 ? 32 : 128);
  }
  const parts = value.split('-').map((p) => p.trim());
  if (parts.length !== 2) return false;
  const [start, end] = parts as [string, string];
  const family = isIP(start);
  if (family === 0 || isIP(end) !== family) return false;
  if (family === 4) return parseIpv4(start)! <= parseIpv4(end)!;
  return true;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
