/**
 * YAML reading for validation: one or several documents, parse errors and warnings as problems
 * with line numbers, and a way back from a JSON pointer to the line it came from.
 */
import { LineCounter, isMap, isPair, isScalar, isSeq, parseAllDocuments, parseDocument, type Document, type Node, type Tags, type YAMLError } from 'yaml';
import type { Problem } from '../model/problem.ts';
import { unescapePointer } from './schema-registry.ts';

export interface YamlParseOptions {
  /** A stream of documents (`---`), as Talos and Kubernetes use. @default false */
  readonly multi?: boolean;
  /** Custom tags the format defines (Authentik blueprints, Compose). @default - none */
  readonly customTags?: Tags;
  /** A tag the parser does not know is an error, not a warning. @default false */
  readonly unknownTagsAreErrors?: boolean;
}

export interface YamlDocument {
  /** Position in the stream, from 0. */
  readonly index: number;
  /** The document as plain data (custom tags as their resolved values). */
  readonly value: unknown;
}

export interface ParsedYaml {
  /** Empty when the file does not parse; documents that are empty are left out of a stream. */
  readonly documents: readonly YamlDocument[];
  readonly problems: readonly Problem[];
  /** 1-based line of the node at `pointer` in document `index` (or of its nearest parent). */
  lineOf(index: number, pointer: string): number | undefined;
}

export function parseYaml(content: string, source: string, options: YamlParseOptions = {}): ParsedYaml {
  const lineCounter = new LineCounter();
  const parseOptions = { lineCounter, customTags: options.customTags, merge: true, prettyErrors: true } as const;
  let docs: Document.Parsed[];
  if (options.multi) {
    const all = parseAllDocuments(content, parseOptions);
    // An empty stream (only comments) has no documents; the caller reports that.
    docs = 'empty' in all ? [] : all;
  } else {
    docs = [parseDocument(content, parseOptions)];
  }
  const problems: Problem[] = [];
  const lineText = (line: number): string | undefined => content.split('\n')[line - 1]?.trimEnd();
  for (const doc of docs) {
    for (const error of doc.errors) problems.push(yamlProblem(error, source, 'error', options, lineText));
    for (const warning of doc.warnings) problems.push(yamlProblem(warning, source, 'warning', options, lineText));
  }
  const documents: YamlDocument[] = [];
  if (!problems.some((p) => (p.severity ?? 'error') === 'error')) {
    docs.forEach((doc, index) => {
      try {
        const value: unknown = doc.toJS({ maxAliasCount: 1000 });
        // In a stream, an empty document (a trailing `---`) is skipped, as Talos and kubectl do.
        if (options.multi && (value === null || value === undefined)) return;
        documents.push({ index, value });
      } catch (error) {
        problems.push({
          source, path: '', code: 'YamlParseError',
          message: `does not convert to data: ${(error as Error).message}`,
          fix: 'Remove alias loops or excessive aliases.',
        });
      }
    });
  }
  return {
    documents,
    problems,
    lineOf(index, pointer) {
      const doc = docs[index];
      if (!doc) return undefined;
      const offset = offsetOf(doc, pointer);
      return offset === undefined ? undefined : lineCounter.linePos(offset).line;
    },
  };
}

function yamlProblem(
  error: YAMLError,
  source: string,
  severity: 'error' | 'warning',
  options: YamlParseOptions,
  lineText: (line: number) => string | undefined,
): Problem {
  const position = error.linePos?.[0];
  const firstLine = error.message.split('\n')[0] ?? error.message;
  let message = firstLine.replace(/ at line \d+, column \d+:?$/, '');
  if (message.startsWith('Source contains multiple documents')) message = 'contains several YAML documents; this format takes one';
  const unknownTag = /^Unresolved tag: /.test(message);
  const isError = severity === 'error' || (unknownTag && options.unknownTagsAreErrors === true);
  const code = unknownTag ? 'YamlUnknownTag' : error.code === 'TAG_RESOLVE_FAILED' ? 'YamlTagError' : severity === 'error' ? 'YamlParseError' : 'YamlWarning';
  const line = position ? lineText(position.line) : undefined;
  const received = line?.trim() ? line : undefined;
  return {
    source,
    path: position ? `line ${position.line}, column ${position.col}` : '',
    code,
    message: message.charAt(0).toLowerCase() + message.slice(1),
    ...(received !== undefined ? { received: received.length > 200 ? `${received.slice(0, 197)}...` : received } : {}),
    fix: unknownTag ? 'Use a tag the format defines, or quote the value.' : code === 'YamlTagError' ? 'Give the tag the arguments it takes.' : 'Fix the YAML at that line.',
    ...(isError ? {} : { severity: 'warning' as const }),
  };
}

/** Start offset of the node at a JSON pointer; a property's key when the pointer ends on one. */
function offsetOf(doc: Document.Parsed, pointer: string): number | undefined {
  let node: unknown = doc.contents;
  let offset = rangeStart(node);
  const segments = pointer === '' ? [] : pointer.split('/').slice(1).map(unescapePointer);
  for (const segment of segments) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && String(isScalar(p.key) ? p.key.value : p.key) === segment);
      if (!pair) break;
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)];
      if (item === undefined) break;
      offset = rangeStart(item) ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | null)?.range?.[0];
}
