/**
 * Additions to upstream schemas that lag behind the tool they describe.
 *
 * The SchemaStore Traefik schemas (snapshot 2026-08-07) close every object with
 * `additionalProperties: false` but miss options that Traefik v3.7.9 accepts: validating
 * Traefik's own "every option" reference files (`fixtures/traefik-v3.7.9-reference/`) against them
 * fails on exactly the properties listed below and nothing else. Rather than loosening whole
 * objects (which would hide typos such as `adress`), each missing option is added by name, typed
 * where Traefik's reference documentation is unambiguous and left open (`{}`) otherwise. A patch
 * never replaces what the upstream file already declares, so a schema update that catches up
 * silently wins. The test "Traefik reference configuration" keeps this list complete.
 *
 * Patches apply to the in-memory copy; the files in the schemas directory are never changed.
 */

type JsonSchema = Readonly<Record<string, unknown>>;

export interface SchemaPatch {
  /** JSON pointer of the object schema to extend. */
  readonly pointer: string;
  /** Properties to declare if the schema does not declare them. */
  readonly addProperties?: Readonly<Record<string, JsonSchema>>;
  /** Alternatives to append to the schema's `oneOf`. */
  readonly addAlternatives?: readonly JsonSchema[];
  /** Why: the tool version and the option's reference. */
  readonly reason: string;
}

const TRAEFIK_379 = 'Traefik v3.7.9 reference configuration (docs/content/reference/*-configuration/file.yaml); missing from the SchemaStore schema.';
const bool: JsonSchema = { type: 'boolean' };
const str: JsonSchema = { type: 'string' };
const int: JsonSchema = { type: 'integer' };
const stringMap: JsonSchema = { type: 'object', additionalProperties: { type: 'string' } };
// Documented values are `minimal` and `detailed`; left a plain string like the upstream schema's
// other enumerations-by-documentation (the reference file fills every string with "foobar").
const traceVerbosity: JsonSchema = { type: 'string', description: 'minimal | detailed' };

export const SCHEMA_PATCHES: Readonly<Record<'traefik-v3-static' | 'traefik-v3-file-provider', readonly SchemaPatch[]>> = {
  'traefik-v3-static': [
    { pointer: '/$defs/staticHTTPConfig', addProperties: { sanitizePath: bool }, reason: TRAEFIK_379 },
    { pointer: '/$defs/staticObservabilityConfig', addProperties: { traceVerbosity }, reason: TRAEFIK_379 },
    { pointer: '/$defs/staticExperimental', addProperties: { otlplogs: bool, kubernetesIngressNGINX: bool }, reason: TRAEFIK_379 },
    { pointer: '/$defs/pluginsSettings', addProperties: { useUnsafe: bool }, reason: TRAEFIK_379 },
    { pointer: '/$defs/typesOTLP', addProperties: { resourceAttributes: stringMap }, reason: TRAEFIK_379 },
    { pointer: '/$defs/staticProviders', addProperties: { kubernetesIngressNGINX: { type: 'object' } }, reason: TRAEFIK_379 },
    { pointer: '/$defs/httpProvider', addProperties: { maxResponseBodySize: int }, reason: TRAEFIK_379 },
    { pointer: '/$defs/ingressProvider', addProperties: { strictPrefixMatching: bool }, reason: TRAEFIK_379 },
  ],
  'traefik-v3-file-provider': [
    {
      pointer: '/definitions/httpRouter',
      addProperties: {
        observability: {
          type: 'object',
          properties: { accessLogs: bool, metrics: bool, tracing: bool, traceVerbosity },
          additionalProperties: false,
        },
      },
      reason: TRAEFIK_379,
    },
    {
      pointer: '/definitions/httpService',
      addAlternatives: [{ properties: { highestRandomWeight: { type: 'object' } }, additionalProperties: false }],
      reason: TRAEFIK_379,
    },
    {
      pointer: '/definitions/httpLoadBalancerService',
      addProperties: {
        strategy: str,
        passiveHealthCheck: {
          type: 'object',
          properties: { failureWindow: str, maxFailedAttempts: int },
          additionalProperties: false,
        },
      },
      reason: TRAEFIK_379,
    },
    { pointer: '/definitions/httpMirroringService', addProperties: { mirrorBody: bool }, reason: TRAEFIK_379 },
    {
      pointer: '/definitions/errorsMiddleware',
      addProperties: {
        statusRewrites: { type: 'object', additionalProperties: { type: 'integer' } },
        errorRequestHeaders: { type: 'array', items: str },
      },
      reason: TRAEFIK_379,
    },
    { pointer: '/definitions/ipStrategy', addProperties: { ipv6Subnet: int }, reason: TRAEFIK_379 },
    { pointer: '/definitions/rateLimitMiddleware', addProperties: { redis: { type: 'object' } }, reason: TRAEFIK_379 },
  ],
};

/** Applies patches to a freshly parsed schema document. Throws if a pointer no longer exists. */
export function applySchemaPatches(schema: Record<string, unknown>, patches: readonly SchemaPatch[]): void {
  for (const patch of patches) {
    const target = at(schema, patch.pointer);
    if (target === undefined) throw new Error(`Schema patch target ${patch.pointer} does not exist: the upstream schema changed shape; review schema-patches.ts.`);
    if (patch.addProperties) {
      const properties = (target.properties ??= {}) as Record<string, unknown>;
      for (const [name, property] of Object.entries(patch.addProperties)) {
        if (!(name in properties)) properties[name] = structuredClone(property);
      }
    }
    if (patch.addAlternatives) {
      const alternatives = target.oneOf;
      if (!Array.isArray(alternatives)) throw new Error(`Schema patch target ${patch.pointer} has no oneOf; review schema-patches.ts.`);
      for (const alternative of patch.addAlternatives) {
        // An upstream alternative for the same property would make `oneOf` match twice.
        const names = Object.keys((alternative.properties ?? {}) as object);
        const known = alternatives.some((existing: unknown) => names.some((n) => Object.hasOwn(((existing as { properties?: object }).properties ?? {}), n)));
        if (!known) alternatives.push(structuredClone(alternative));
      }
    }
  }
}

function at(root: Record<string, unknown>, pointer: string): Record<string, unknown> | undefined {
  let node: unknown = root;
  for (const segment of pointer.split('/').slice(1)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node !== null && typeof node === 'object' && !Array.isArray(node) ? (node as Record<string, unknown>) : undefined;
}
