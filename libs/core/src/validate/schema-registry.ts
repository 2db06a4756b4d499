/**
 * The upstream JSON schemas, compiled once. Compiling is the slow part (the Authentik blueprint
 * schema alone takes a second or more), so each schema is compiled lazily on first use and the
 * validator is kept for the life of the registry; validating a document afterwards takes
 * microseconds to a few milliseconds.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import AjvModule, { type Options, type ValidateFunction } from 'ajv';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ArtifactRecord } from '../synth/manifest.ts';
import { SetupError } from '../setup-error.ts';
import { SCHEMAS_DIR_ENV, findSchemasDir, type FindSchemasDirOptions } from './schemas-dir.ts';
import { SCHEMA_PATCHES, applySchemaPatches, type SchemaPatch } from './schema-patches.ts';

// ajv and ajv-formats are CommonJS: under NodeNext the default import is `module.exports`, whose
// `.default` is the class (ajv sets `exports.default = Ajv` on the same object).
const Ajv = AjvModule.default;
const Ajv2020 = Ajv2020Module.default;
const addFormats = addFormatsModule.default;

/** Every format a manifest can record. */
export type ValidatedFormat = ArtifactRecord['format'];

export type SchemaId =
  | 'bpg-proxmox-v0.111.1.tf-json'
  | 'traefik-v3-static'
  | 'traefik-v3-file-provider'
  | 'compose-spec'
  | 'compose-spec.compose-go-v2.13.0'
  | 'authentik-blueprint-2026.8.0-rc1'
  | 'talos-v1.13.9-config'
  | 'prometheus-config'
  | 'prometheus-rules'
  | 'prometheus-rules-test'
  | 'alertmanager-config';

export interface SchemaSpec {
  readonly id: SchemaId;
  /** File name inside the schemas directory. */
  readonly file: string;
  /** Chosen by us, not by the file's `$schema` (see `loadSchema`). */
  readonly draft: 'draft-07' | 'draft-2020-12';
  /**
   * Ajv `strict` (unknown keywords and formats are errors). Off only where the upstream file uses
   * non-standard keywords; the reason is in `note`. The shape checks (strictTypes, strictTuples,
   * strictRequired) are off for every schema: they judge schema style, not meaning, and they
   * would refuse to compile an alternative on its own (a `oneOf` branch with `properties` but no
   * `type: object` is fine inside its parent), which the error explanation needs. Strictness only
   * affects compilation, never what validates.
   */
  readonly strict: boolean;
  readonly note?: string;
  /** Additions for fields the upstream schema lags behind on (see schema-patches.ts). */
  readonly patches?: readonly SchemaPatch[];
}

export const SCHEMAS: Readonly<Record<SchemaId, SchemaSpec>> = {
  'bpg-proxmox-v0.111.1.tf-json': { id: 'bpg-proxmox-v0.111.1.tf-json', file: 'bpg-proxmox-v0.111.1.tf-json.schema.json', draft: 'draft-07', strict: true },
  'traefik-v3-static': {
    id: 'traefik-v3-static', file: 'traefik-v3-static.schema.json', draft: 'draft-07', strict: true,
    patches: SCHEMA_PATCHES['traefik-v3-static'],
  },
  'traefik-v3-file-provider': {
    id: 'traefik-v3-file-provider', file: 'traefik-v3-file-provider.schema.json', draft: 'draft-07', strict: true,
    patches: SCHEMA_PATCHES['traefik-v3-file-provider'],
  },
  'compose-spec': {
    id: 'compose-spec', file: 'compose-spec.schema.json', draft: 'draft-07', strict: true,
    note: 'Declares `$schema: https://json-schema.org/draft-07/schema` (https, no `#`), a meta-schema Ajv does not know: we drop `$schema` and pick the draft ourselves.',
  },
  'compose-spec.compose-go-v2.13.0': {
    id: 'compose-spec.compose-go-v2.13.0', file: 'compose-spec.compose-go-v2.13.0.schema.json', draft: 'draft-2020-12', strict: true,
    note: 'The schema `docker compose` v2 loads with; newer than the spec repository copy (`pre_start` hooks, ...).',
  },
  'authentik-blueprint-2026.8.0-rc1': {
    id: 'authentik-blueprint-2026.8.0-rc1', file: 'authentik-blueprint-2026.8.0-rc1.schema.json', draft: 'draft-07', strict: true,
    note: 'Blueprints use YAML custom tags: see blueprint-tags.ts for how they are read before validation.',
  },
  'talos-v1.13.9-config': {
    id: 'talos-v1.13.9-config', file: 'talos-v1.13.9-config.schema.json', draft: 'draft-2020-12', strict: false,
    note: 'Uses the non-standard annotation keywords `markdownDescription` and `x-intellij-html-description`.',
  },
  'prometheus-config': {
    id: 'prometheus-config', file: 'prometheus-config.schema.json', draft: 'draft-07', strict: true,
    note: 'Has `required` names not declared in `properties` inside `if/then` and `properties` without `type: object` inside `if/not`: only the shape checks object, and they are off.',
  },
  'prometheus-rules': { id: 'prometheus-rules', file: 'prometheus-rules.schema.json', draft: 'draft-07', strict: true },
  'prometheus-rules-test': { id: 'prometheus-rules-test', file: 'prometheus-rules-test.schema.json', draft: 'draft-07', strict: true },
  'alertmanager-config': { id: 'alertmanager-config', file: 'alertmanager-config.schema.json', draft: 'draft-07', strict: true },
};

/** The schemas each format is checked against. Formats absent here get no schema check. */
export const FORMAT_SCHEMAS: Readonly<Partial<Record<ValidatedFormat, readonly SchemaId[]>>> = {
  'terraform-json': ['bpg-proxmox-v0.111.1.tf-json'],
  'traefik-static': ['traefik-v3-static'],
  'traefik-dynamic': ['traefik-v3-file-provider'],
  compose: ['compose-spec', 'compose-spec.compose-go-v2.13.0'],
  'authentik-blueprint': ['authentik-blueprint-2026.8.0-rc1'],
  'talos-config': ['talos-v1.13.9-config'],
  'prometheus-config': ['prometheus-config'],
  'prometheus-rules': ['prometheus-rules'],
  'prometheus-rules-test': ['prometheus-rules-test'],
  'alertmanager-config': ['alertmanager-config'],
};

export interface CompiledSchema {
  readonly spec: SchemaSpec;
  /** The schema document as compiled (with our `$id` and patches). Do not mutate. */
  readonly schema: Readonly<Record<string, unknown>>;
  readonly validate: ValidateFunction;
  /** Milliseconds spent compiling the root validator. */
  readonly compileMs: number;
  /** Messages Ajv logged while compiling (unknown formats, strict-mode notes). */
  readonly warnings: readonly string[];
  /** JSON pointer of a subschema object of `schema` (the objects Ajv's verbose errors carry). */
  pointerOf(node: unknown): string | undefined;
  /** Validator for the subschema at a JSON pointer, compiled on first use and cached. */
  subschema(pointer: string): ValidateFunction | undefined;
}

export class SchemaRegistry {
  private readonly cache = new Map<SchemaId, CompiledSchema>();

  constructor(readonly dir: string) {}

  /** A registry over the schemas directory found from the workspace root (see schemas-dir.ts). */
  static fromWorkspace(options: FindSchemasDirOptions = {}): SchemaRegistry {
    return new SchemaRegistry(findSchemasDir({ required: Object.values(SCHEMAS).map((s) => s.file), ...options }));
  }

  isCompiled(id: SchemaId): boolean {
    return this.cache.has(id);
  }

  /** The compiled schema; compiles it on first use. Throws if the file is missing or does not compile. */
  get(id: SchemaId): CompiledSchema {
    let compiled = this.cache.get(id);
    if (!compiled) {
      compiled = compileSchema(SCHEMAS[id], this.dir);
      this.cache.set(id, compiled);
    }
    return compiled;
  }

  /** Compiles the given schemas now (all by default); returns milliseconds per schema. */
  warmUp(ids: readonly SchemaId[] = Object.keys(SCHEMAS) as SchemaId[]): Record<string, number> {
    const times: Record<string, number> = {};
    for (const id of ids) times[id] = this.get(id).compileMs;
    return times;
  }
}

let shared: SchemaRegistry | undefined;

/** The process-wide registry, so every caller shares one compilation of each schema. */
export function defaultSchemaRegistry(): SchemaRegistry {
  shared ??= SchemaRegistry.fromWorkspace();
  return shared;
}

/**
 * Reads the file and prepares it for Ajv: the root `$id` becomes a URN of ours (every `$ref` in
 * these files is local, `#/...`, so nothing else depends on it, and subschemas can then be
 * addressed as `<urn>#<pointer>`), `$schema` is dropped (the draft is chosen by the Ajv class),
 * and the patches are applied. The files themselves are read-only and never changed.
 */
export function loadSchema(spec: SchemaSpec, dir: string): Record<string, unknown> {
  const file = path.join(dir, spec.file);
  const schema = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  delete schema.$schema;
  schema.$id = schemaUrn(spec.id);
  if (spec.patches?.length) applySchemaPatches(schema, spec.patches);
  return schema;
}

function schemaUrn(id: SchemaId): string {
  return `urn:homelab:schema:${id}`;
}

function compileSchema(spec: SchemaSpec, dir: string): CompiledSchema {
  let schema: Record<string, unknown>;
  try {
    schema = loadSchema(spec, dir);
  } catch (error) {
    // A missing or corrupt file is this machine's setup, not a bug: name the file and the fix.
    throw new SetupError(
      `Cannot load schema ${spec.file} from ${dir}: ${(error as Error).message}`,
      `restore it (git checkout -- schemas/${spec.file}) or point ${SCHEMAS_DIR_ENV} at a directory with an intact copy.`,
    );
  }
  const warnings: string[] = [];
  const log = (...args: unknown[]): void => {
    warnings.push(args.map(String).join(' '));
  };
  const options: Options = {
    allErrors: true,
    // Errors carry the schema object and the data: union errors are explained from them.
    verbose: true,
    strict: spec.strict,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    allowUnionTypes: true,
    // Separate functions for $refs and no code optimisation: compiles 2-3x faster on the large
    // schemas at no visible cost when validating files of a few kilobytes.
    inlineRefs: false,
    code: { optimize: false },
    logger: { log, warn: log, error: log },
  };
  const ajv = spec.draft === 'draft-2020-12' ? new Ajv2020(options) : new Ajv(options);
  addFormats(ajv);
  const urn = schemaUrn(spec.id);
  const started = performance.now();
  let validate: ValidateFunction | undefined;
  try {
    ajv.addSchema(schema);
    validate = ajv.getSchema(urn);
  } catch (error) {
    throw new Error(`Schema ${spec.file} does not compile (${spec.draft}, strict ${spec.strict}): ${(error as Error).message}`);
  }
  if (!validate) throw new Error(`Schema ${spec.file} does not compile: Ajv returned no validator.`);
  const compileMs = performance.now() - started;

  let pointers: WeakMap<object, string> | undefined;
  const subschemas = new Map<string, ValidateFunction | undefined>();
  return {
    spec,
    schema,
    validate,
    compileMs,
    warnings,
    pointerOf(node) {
      if (node === null || typeof node !== 'object') return undefined;
      pointers ??= indexPointers(schema);
      return pointers.get(node);
    },
    subschema(pointer) {
      if (!subschemas.has(pointer)) {
        let fn: ValidateFunction | undefined;
        try {
          fn = ajv.getSchema(`${urn}#${pointer}`);
        } catch {
          fn = undefined;
        }
        subschemas.set(pointer, fn);
      }
      return subschemas.get(pointer);
    },
  };
}

function indexPointers(root: unknown): WeakMap<object, string> {
  const map = new WeakMap<object, string>();
  const walk = (node: unknown, pointer: string): void => {
    if (node === null || typeof node !== 'object' || map.has(node)) return;
    map.set(node, pointer);
    for (const [key, value] of Object.entries(node)) walk(value, `${pointer}/${escapePointer(key)}`);
  };
  walk(root, '');
  return map;
}

export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}
