/** Artifact validation against the upstream schemas in the repository's schemas/. Re-exports only. */
export { BUNDLED_SCHEMAS_DIR, SCHEMAS_DIR_ENV, SchemasDirNotFoundError, findSchemasDir, type FindSchemasDirOptions } from './schemas-dir.ts';
export {
  FORMAT_SCHEMAS, SCHEMAS, SchemaRegistry, defaultSchemaRegistry,
  type CompiledSchema, type SchemaId, type SchemaSpec, type ValidatedFormat,
} from './schema-registry.ts';
export { SCHEMA_PATCHES, type SchemaPatch } from './schema-patches.ts';
export { BLUEPRINT_YAML_TAGS, BlueprintTag } from '../render/blueprint-tags.ts';
export { substituteBlueprintTags } from './blueprint-tags.ts';
export {
  DEFAULT_MAX_PROBLEMS, documentPath, validateArtifact, validateArtifactChecks,
  type ArtifactCheck, type ValidateArtifactOptions,
} from './validate-artifact.ts';
export {
  validateDistsWithTools, validateServiceDist, validateServiceDistWithTools,
  type DistValidation, type ValidateDistOptions, type ValidateDistWithToolsOptions,
} from './validate-dist.ts';
export * from './tools/index.ts';
