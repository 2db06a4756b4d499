/**
 * Checks one generated artifact against the upstream schema of its format. Parsing problems,
 * schema violations and structural problems all come back as Problems (never thrown), so one run
 * shows everything; only a missing or broken schema file throws, since no check is possible then.
 */
import { ANSIBLE_YAML_TAGS } from '../render/ansible-data.ts';
import type { Problem } from '../model/problem.ts';
import { BLUEPRINT_YAML_TAGS } from '../render/blueprint-tags.ts';
import { substituteBlueprintTags } from './blueprint-tags.ts';
import { COMPOSE_YAML_TAGS, dropComposeResets } from './compose-tags.ts';
import { checkKubernetesDocuments } from './kubernetes.ts';
import { FORMAT_SCHEMAS, defaultSchemaRegistry, type SchemaId, type SchemaRegistry, type ValidatedFormat } from './schema-registry.ts';
import { explainSchemaErrors } from './schema-issues.ts';
import { parseYaml, type ParsedYaml, type YamlDocument, type YamlParseOptions } from './yaml-source.ts';

export interface ArtifactCheck {
  /** The file, as given (inside `dist/<service>/` when it comes from a manifest). */
  readonly file: string;
  readonly format: ValidatedFormat;
  /** What was checked: `schema traefik-v3-static`, `kubernetes structure`, `json parse`, `no schema check`, ... */
  readonly check: string;
  /** No problem of severity error. */
  readonly ok: boolean;
  readonly problems: readonly Problem[];
}

export interface ValidateArtifactOptions {
  /** Where compiled schemas come from. @default defaultSchemaRegistry() */
  readonly registry?: SchemaRegistry;
  /** Problems reported per check before the rest is summarised in one line. @default 20 */
  readonly maxProblems?: number;
  /** Source named in problems. @default - the file argument */
  readonly source?: string;
}

export const DEFAULT_MAX_PROBLEMS = 20;

/** Formats whose file is a stream of YAML documents, each validated on its own. */
const STREAM_FORMATS: ReadonlySet<ValidatedFormat> = new Set(['talos-config', 'kubernetes']);

/** Formats that only need to parse until a real-tool check exists for them. */
const PARSE_ONLY: Readonly<Partial<Record<ValidatedFormat, 'json' | 'yaml'>>> = {
  json: 'json',
  yaml: 'yaml',
  'ansible-playbook': 'yaml',
  'ansible-inventory': 'yaml',
};

/**
 * One check per schema the format has (two for Compose: the specification's schema and
 * compose-go's, and both must pass), or a single check for formats without a schema. A file that
 * does not parse gives a single parse check.
 */
export function validateArtifactChecks(format: ValidatedFormat, content: string, file: string, options: ValidateArtifactOptions = {}): ArtifactCheck[] {
  const source = options.source ?? file;
  const max = options.maxProblems ?? DEFAULT_MAX_PROBLEMS;
  const make = (check: string, problems: readonly Problem[]): ArtifactCheck => {
    const capped = capProblems(problems, max, source);
    return { file, format, check, ok: !capped.some((p) => (p.severity ?? 'error') === 'error'), problems: capped };
  };

  const schemaIds = FORMAT_SCHEMAS[format];
  if (schemaIds) {
    const registry = options.registry ?? defaultSchemaRegistry();
    const input = readInput(format, content, source);
    if (input.problems.some((p) => (p.severity ?? 'error') === 'error')) return [make(input.kind === 'json' ? 'json parse' : 'yaml parse', input.problems)];
    return schemaIds.map((id) => make(`schema ${id}`, [...input.problems, ...validateDocuments(registry, id, format, input, source)]));
  }

  if (format === 'kubernetes') {
    const parsed = parseYaml(content, source, { multi: true });
    if (hasErrors(parsed.problems)) return [make('yaml parse', parsed.problems)];
    return [make('kubernetes structure', [...parsed.problems, ...checkKubernetesDocuments(parsed.documents, source, documentPath)])];
  }

  const parseOnly = PARSE_ONLY[format];
  if (parseOnly === 'json') return [make('json parse', parseJson(content, source).problems)];
  if (parseOnly === 'yaml') {
    const problems = parseYaml(content, source, { multi: true, ...ansibleTags(format) }).problems;
    return [make(format === 'yaml' ? 'yaml parse' : 'yaml parse (no schema check)', problems)];
  }
  return [make('no schema check', [])];
}

/** A single check for the artifact; Compose's two schema checks are merged into one. */
export function validateArtifact(format: ValidatedFormat, content: string, file: string, options: ValidateArtifactOptions = {}): ArtifactCheck {
  const checks = validateArtifactChecks(format, content, file, { ...options, maxProblems: Number.MAX_SAFE_INTEGER });
  const max = options.maxProblems ?? DEFAULT_MAX_PROBLEMS;
  const source = options.source ?? file;
  if (checks.length === 1) {
    const only = checks[0]!;
    return { ...only, problems: capProblems(only.problems, max, source) };
  }
  // Several schemas: a problem every schema reports is listed once; one only some report says which.
  const key = (p: Problem): string => `${p.path}\u0000${p.code}\u0000${p.message}`;
  const reportedBy = new Map<string, { problem: Problem; checks: string[] }>();
  for (const check of checks) {
    for (const problem of check.problems) {
      const entry = reportedBy.get(key(problem)) ?? { problem, checks: [] };
      entry.checks.push(check.check.replace(/^schema /, ''));
      reportedBy.set(key(problem), entry);
    }
  }
  const merged = [...reportedBy.values()].map(({ problem, checks: by }) =>
    by.length === checks.length ? problem : { ...problem, message: `${problem.message} [${by.join(', ')}]` });
  const problems = capProblems(merged, max, source);
  return {
    file,
    format,
    check: checks.map((c) => c.check).join(' + ').replace(/ \+ schema /g, ' + '),
    ok: checks.every((c) => c.ok),
    problems,
  };
}

// ---------------------------------------------------------------------------------------------

interface Input {
  readonly kind: 'json' | 'yaml';
  readonly documents: readonly YamlDocument[];
  readonly problems: readonly Problem[];
  readonly yaml?: ParsedYaml;
}

/** Generated playbooks and inventories mark every model value `!unsafe` (render/ansible-data.ts). */
function ansibleTags(format: ValidatedFormat): Pick<YamlParseOptions, 'customTags'> {
  return format === 'ansible-playbook' || format === 'ansible-inventory' ? { customTags: ANSIBLE_YAML_TAGS } : {};
}

function readInput(format: ValidatedFormat, content: string, source: string): Input {
  if (format === 'terraform-json') {
    const parsed = parseJson(content, source);
    return { kind: 'json', documents: parsed.problems.length ? [] : [{ index: 0, value: parsed.value }], problems: parsed.problems };
  }
  const options: YamlParseOptions = {
    multi: STREAM_FORMATS.has(format),
    ...(format === 'authentik-blueprint' ? { customTags: BLUEPRINT_YAML_TAGS, unknownTagsAreErrors: true } : {}),
    ...(format === 'compose' ? { customTags: COMPOSE_YAML_TAGS } : {}),
    ...ansibleTags(format),
  };
  const yaml = parseYaml(content, source, options);
  const problems = [...yaml.problems];
  let documents = yaml.documents;
  if (format === 'compose') documents = documents.map((d) => ({ ...d, value: dropComposeResets(d.value) }));
  if (options.multi && documents.length === 0 && !hasErrors(problems)) {
    problems.push({ source, path: '', code: 'YamlEmpty', message: 'contains no YAML document', fix: 'Render at least one document.' });
  }
  return { kind: 'yaml', documents, problems, yaml };
}

function validateDocuments(registry: SchemaRegistry, id: SchemaId, format: ValidatedFormat, input: Input, source: string): Problem[] {
  const compiled = registry.get(id);
  const stream = STREAM_FORMATS.has(format);
  const problems: Problem[] = [];
  for (const document of input.documents) {
    const value = format === 'authentik-blueprint' ? substituteBlueprintTags(document.value, compiled.schema).value : document.value;
    if (compiled.validate(value)) continue;
    for (const issue of explainSchemaErrors(compiled, [...(compiled.validate.errors ?? [])])) {
      const line = input.yaml?.lineOf(document.index, issue.path);
      problems.push({
        source,
        path: stream ? documentPath(document.index, issue.path) : issue.path,
        code: 'SchemaViolation',
        message: line !== undefined ? `${issue.message} (line ${line})` : issue.message,
        ...(issue.received !== undefined ? { received: issue.received } : {}),
        fix: issue.fix,
      });
    }
  }
  return problems;
}

/** Where a problem sits in a multi-document file: `documents[1]/machine/type`. */
export function documentPath(index: number, pointer: string): string {
  return `documents[${index}]${pointer}`;
}

function parseJson(content: string, source: string): { value?: unknown; problems: Problem[] } {
  try {
    return { value: JSON.parse(content) as unknown, problems: [] };
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    let path = '';
    let received: string | undefined;
    if (position) {
      const offset = Number(position[1]);
      const before = content.slice(0, offset).split('\n');
      const line = before.length;
      path = `line ${line}, column ${before[before.length - 1]!.length + 1}`;
      received = content.split('\n')[line - 1]?.trim().slice(0, 200);
    }
    return {
      problems: [{
        source, path, code: 'JsonParseError',
        message: `is not valid JSON: ${message.replace(/ in JSON at position \d+.*$/, '').replace(/^\w/, (c) => c.toLowerCase())}`,
        ...(received !== undefined ? { received } : {}),
        fix: 'Fix the JSON syntax at that position.',
      }],
    };
  }
}

function capProblems(problems: readonly Problem[], max: number, source: string): Problem[] {
  if (problems.length <= max) return [...problems];
  const rest = problems.length - max;
  return [
    ...problems.slice(0, max),
    {
      source, path: '', code: 'MoreProblems',
      message: `${rest} more problem${rest === 1 ? '' : 's'} not shown`,
      fix: 'Fix the problems above and validate again to see the rest.',
    },
  ];
}

function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => (p.severity ?? 'error') === 'error');
}
