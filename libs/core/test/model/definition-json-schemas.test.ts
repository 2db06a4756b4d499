/**
 * The generated JSON Schemas (schemas/homelab/): the committed files are exactly what the zod
 * schemas generate today, they are valid draft-07 schemas, and a JSON export of every real
 * definition and of the real site validates against them while one with an unknown key does not.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import {
  BUNDLED_SCHEMAS_DIR, DEFINITION_SCHEMAS_SUBDIR, loadServices, REGENERATE_SCHEMAS_COMMAND, renderDefinitionJsonSchemas,
} from '../../src/index.ts';
import { site } from '../../../site/src/index.ts';

const ROOT = path.resolve(BUNDLED_SCHEMAS_DIR, '..');
const committed = (file: string) => readFileSync(path.join(BUNDLED_SCHEMAS_DIR, DEFINITION_SCHEMAS_SUBDIR, file), 'utf8');
const generated = renderDefinitionJsonSchemas();

/** What a JSON (or YAML) export of a definition holds: functions are left out, as JSON.stringify does. */
const exportOf = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('schemas/homelab: no drift from the zod schemas', () => {
  it('generates the two documents', () => {
    expect([...generated.keys()].sort()).toEqual(['service-definition.schema.json', 'site.schema.json']);
  });

  it.each([...generated.keys()])('%s is committed byte for byte as generated', (file) => {
    expect(committed(file), `schemas/homelab/${file} is out of date: run \`${REGENERATE_SCHEMAS_COMMAND}\` and commit the result`).toBe(generated.get(file));
  });
});

const ajv = new Ajv({ allErrors: true, strict: true });
const validator = (file: string) => ajv.compile(JSON.parse(committed(file)) as object);

describe('schemas/homelab: usable by editors and outside tools', () => {
  it.each([...generated.keys()])('%s is a draft-07 schema with $id, title and description', (file) => {
    const doc = JSON.parse(committed(file)) as Record<string, unknown>;
    expect(doc.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(doc.$id).toMatch(/^urn:homelab:schema:/);
    expect(typeof doc.title).toBe('string');
    expect(String(doc.description).length).toBeGreaterThan(40);
    expect(ajv.validateSchema(doc), ajv.errorsText(ajv.errors)).toBe(true);
  });

  it('accepts a JSON export of every real service definition, and rejects one with an unknown key', async () => {
    const validate = validator('service-definition.schema.json');
    const { entries, failures } = await loadServices(ROOT);
    expect(failures).toEqual([]);
    expect(entries.length).toBeGreaterThanOrEqual(26);
    // A definition function is exported as what it gives for this repository's site.
    const definitionOf = (d: unknown) => (typeof d === 'function' ? (d as (s: typeof site) => unknown)(site) : d);
    for (const entry of entries) {
      expect(validate(exportOf(definitionOf(entry.definition))), `${entry.pkg.dir}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    }
    const [first] = entries;
    const withTypo = exportOf(definitionOf(first!.definition)) as Record<string, unknown>;
    expect(validate({ ...withTypo, nonsenseField: 1 })).toBe(false);
    expect(validate.errors).toContainEqual(expect.objectContaining({ keyword: 'additionalProperties', params: { additionalProperty: 'nonsenseField' } }));
  });

  it('accepts a JSON export of the real site, and rejects one with a node field typo', () => {
    const validate = validator('site.schema.json');
    expect(validate(exportOf(site)), ajv.errorsText(validate.errors)).toBe(true);
    const broken = exportOf(site) as { nodes: Record<string, unknown>[] };
    broken.nodes[0] = { ...broken.nodes[0], hardwre: 'x' };
    expect(validate(broken)).toBe(false);
    expect(validate.errors).toContainEqual(expect.objectContaining({ instancePath: '/nodes/0', params: { additionalProperty: 'hardwre' } }));
  });
});
