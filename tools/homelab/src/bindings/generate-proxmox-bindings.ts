/**
 * Generates typed bpg/proxmox bindings (TypeScript interfaces, snake_case as in Terraform JSON)
 * from the provider schema in schemas/. There is no prebuilt provider package on npm, so
 * these are ours; a test re-runs the generator and fails if the committed file drifted.
 *
 *   npx tsx tools/homelab/src/bindings/generate-proxmox-bindings.ts [--check]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findSchemasDir } from '@homelab/core';

const SCHEMA_FILE = 'bpg-proxmox-v0.111.1.resources.derived-providers-schema.json';
const PROVIDER = 'registry.terraform.io/bpg/proxmox';
export const OUTPUT = 'libs/core/src/proxmox/generated/bpg-proxmox.ts';

/** The resources we synthesize, with the Terraform type name we emit (short aliases where the long name is deprecated). */
const RESOURCES: Record<string, { iface: string; emitAs: string }> = {
  proxmox_virtual_environment_container: { iface: 'Container', emitAs: 'proxmox_virtual_environment_container' },
  proxmox_virtual_environment_vm: { iface: 'Vm', emitAs: 'proxmox_virtual_environment_vm' },
  proxmox_virtual_environment_pool: { iface: 'Pool', emitAs: 'proxmox_virtual_environment_pool' },
  proxmox_virtual_environment_download_file: { iface: 'DownloadFile', emitAs: 'proxmox_download_file' },
  proxmox_virtual_environment_haresource: { iface: 'HaResource', emitAs: 'proxmox_haresource' },
  proxmox_virtual_environment_firewall_options: { iface: 'FirewallOptions', emitAs: 'proxmox_virtual_environment_firewall_options' },
  proxmox_virtual_environment_firewall_rules: { iface: 'FirewallRules', emitAs: 'proxmox_virtual_environment_firewall_rules' },
};

type TfType = string | [string, TfType] | ['object', Record<string, TfType>];
interface Attr { type: TfType; required?: boolean; optional?: boolean; computed?: boolean; description?: string; deprecated?: boolean; x_deprecated_message?: string; x_default?: unknown; x_config_mode_attr?: boolean }
interface Block { attributes?: Record<string, Attr>; block_types?: Record<string, BlockType>; description?: string }
interface BlockType { nesting_mode: string; min_items?: number; max_items?: number; block: Block }

function tsType(t: TfType, allKeysRequired = false): string {
  if (t === 'string') return 'string';
  if (t === 'number') return 'number';
  if (t === 'bool') return 'boolean';
  if (t === 'dynamic') return 'unknown';
  const [kind, inner] = t as [string, TfType];
  if (kind === 'list' || kind === 'set') return `readonly ${wrap(tsType(inner, allKeysRequired))}[]`;
  if (kind === 'map') return `Readonly<Record<string, ${tsType(inner)}>>`;
  if (kind === 'object') {
    const fields = Object.entries(inner as unknown as Record<string, TfType>).sort(([a], [b]) => a.localeCompare(b))
      // ConfigMode=Attr lists in JSON syntax need every key present; unused ones are null.
      .map(([k, v]) => `${k}${allKeysRequired ? '' : '?'}: ${tsType(v)}${allKeysRequired ? ' | null' : ''}`);
    return `{ ${fields.join('; ')} }`;
  }
  return 'unknown';
}

function wrap(t: string): string {
  return t.includes(' ') && !t.startsWith('{') ? `(${t})` : t;
}

function doc(a: { description?: string; x_default?: unknown; x_deprecated_message?: string }, indent: string): string {
  const parts: string[] = [];
  if (a.description) parts.push(a.description.replace(/\*\//g, '*\\/').replace(/\s+/g, ' ').trim());
  if (a.x_default !== undefined && a.x_default !== '') parts.push(`@default ${JSON.stringify(a.x_default)}`);
  if (a.x_deprecated_message) parts.push(`@deprecated ${a.x_deprecated_message.replace(/\s+/g, ' ')}`);
  return parts.length ? `${indent}/** ${parts.join(' ')} */\n` : '';
}

function emitBlock(name: string, block: Block, out: string[]): void {
  const lines: string[] = [];
  for (const [attr, a] of Object.entries(block.attributes ?? {}).sort(([x], [y]) => x.localeCompare(y))) {
    if (a.computed && !a.optional && !a.required) continue; // computed-only: not settable
    if (attr === 'id') continue;
    lines.push(`${doc(a, '  ')}  readonly ${attr}${a.required ? '' : '?'}: ${tsType(a.type, a.x_config_mode_attr === true)}${a.required ? '' : ' | null'};`);
  }
  for (const [bname, b] of Object.entries(block.block_types ?? {}).sort(([x], [y]) => x.localeCompare(y))) {
    const child = `${name}${pascal(bname)}`;
    emitBlock(child, b.block, out);
    const single = b.max_items === 1;
    const required = (b.min_items ?? 0) > 0;
    lines.push(`${doc(b.block, '  ')}  readonly ${bname}${required ? '' : '?'}: ${single ? child : `readonly ${child}[]`};`);
  }
  out.push(`export interface ${name} {\n${lines.join('\n')}\n}\n`);
}

function pascal(s: string): string {
  return s.split(/[_-]/).map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('');
}

export function generateBindings(schemasDir: string): string {
  const schema = JSON.parse(readFileSync(join(schemasDir, SCHEMA_FILE), 'utf8'));
  const resources = schema.provider_schemas[PROVIDER].resource_schemas as Record<string, { block: Block }>;
  const out: string[] = [
    '// Generated by tools/homelab/src/bindings/generate-proxmox-bindings.ts from',
    `// schemas/${SCHEMA_FILE} (bpg/proxmox ${schema.x_derived.provider_version}). Do not edit by hand.`,
    '/* eslint-disable */',
    '',
    `export const BPG_PROXMOX_VERSION = ${JSON.stringify(schema.x_derived.provider_version)};`,
    '',
    '/** Terraform resource type names we emit (short aliases where the long name is deprecated). */',
    `export const RESOURCE_TYPES = ${JSON.stringify(Object.fromEntries(Object.values(RESOURCES).map((r) => [r.iface, r.emitAs])), null, 2)} as const;`,
    '',
  ];
  for (const [type, { iface }] of Object.entries(RESOURCES)) {
    const res = resources[type];
    if (!res) throw new Error(`${SCHEMA_FILE}: resource ${type} not found`);
    emitBlock(`${iface}Config`, res.block, out);
  }
  return `${out.join('\n').trimEnd()}\n`;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const root = process.cwd();
  const text = generateBindings(findSchemasDir({ root }));
  const target = join(root, OUTPUT);
  if (process.argv.includes('--check')) {
    const current = readFileSync(target, 'utf8');
    if (current !== text) {
      console.error(`${OUTPUT} is out of date with the provider schema. Run: npx tsx tools/homelab/src/bindings/generate-proxmox-bindings.ts`);
      process.exit(1);
    }
  } else {
    writeFileSync(target, text);
    console.log(`wrote ${OUTPUT}`);
  }
}
