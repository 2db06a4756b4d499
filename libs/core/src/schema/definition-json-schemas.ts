/**
 * The JSON Schemas of a service definition and of a site, generated from the zod schemas that
 * the TypeScript types come from (model/service-schema.ts, model/site-schema.ts). They are for
 * editors and outside tools (docs/definitions.md); `npm run schemas:generate` writes them to
 * schemas/homelab/, and a test fails when the committed files drift from this output.
 */
import { z } from 'zod';
import { serviceDefinitionSchema } from '../model/service-schema.ts';
import { siteSchema } from '../model/site-schema.ts';

export const DEFINITION_SCHEMAS_SUBDIR = 'homelab';
export const REGENERATE_SCHEMAS_COMMAND = 'npm run schemas:generate';

interface DefinitionSchema {
  /** File name under schemas/homelab/. */
  readonly file: string;
  readonly title: string;
  readonly description: string;
  readonly schema: z.ZodType;
}

const DEFINITION_SCHEMAS: readonly DefinitionSchema[] = [
  {
    file: 'service-definition.schema.json',
    title: 'homelab service definition',
    description: 'What one service package declares with defineService({...}) (ServiceProps in @homelab/core), as JSON: for editors, for checking a JSON or YAML export of a definition, and for outside tools. Generated from libs/core/src/model/service-schema.ts; do not edit.',
    schema: serviceDefinitionSchema,
  },
  {
    file: 'site.schema.json',
    title: 'homelab site',
    description: 'The physical facts of one homelab (Site in @homelab/core): nodes, network, storage, address plan, DNS, groups. Generated from libs/core/src/model/site-schema.ts; do not edit.',
    schema: siteSchema,
  },
];

/** File name → the exact text to commit (2-space JSON, trailing newline). */
export function renderDefinitionJsonSchemas(): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of DEFINITION_SCHEMAS) {
    const generated = z.toJSONSchema(d.schema, { target: 'draft-07', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    // The zod root's own description is the short one; the file gets the longer one below.
    const { $schema, description: _short, ...body } = generated;
    const document = { $schema, $id: `urn:homelab:schema:${d.file.replace(/\.schema\.json$/, '')}`, title: d.title, description: d.description, ...body };
    out.set(d.file, `${JSON.stringify(document, null, 2)}\n`);
  }
  return out;
}
