/**
 * The one way a package turns a script file into the script it ships. A script is a real file
 * beside its package (`packages/<service>/scripts/<name>.sh`, shellchecked as it is); the values
 * of the site it is rendered for enter through placeholders `@name@`, each replaced by the value
 * quoted with {@link shellQuote} (a list: its items, each quoted, space-separated; rows: the line
 * once per row, see {@link ScriptRows}). A placeholder
 * stands for whole shell words, never for part of a quoted string, so no value can change what
 * the script does beyond being that value. A bash script also gets the shared prelude
 * (`prelude.bash`: strict mode, `changed`, `die`) after its header; a POSIX sh script keeps its
 * own `set` line (the prelude's `pipefail` is bash).
 *
 * Rendered layout: the file's shebang, the generated header as comments, the file's leading
 * comment block, the prelude (bash only), then the rest of the file.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { shellQuote } from './quote.ts';

type Word = string | number;
/**
 * Rows: the line holding the placeholder is written once per row, the placeholder replaced by
 * that row's words (no row, no line): a command per item, such as `want @settings@`.
 */
export interface ScriptRows {
  readonly rows: readonly (readonly Word[])[];
}
/** One word, a list of words (`(@list@)`, `cmd @list@`), or rows. */
export type ScriptValue = Word | readonly Word[] | ScriptRows;

export interface RenderScriptOptions {
  /** Comment lines after the shebang: the generated header (`generatedHeader(...)`). */
  readonly header: readonly string[];
  /** The value of every `@name@` placeholder of the file; each one must be used. */
  readonly values?: Readonly<Record<string, ScriptValue>>;
}

/** A script file that cannot be rendered as asked: a bug in the package that ships it. */
export class ScriptRenderError extends Error {
  override readonly name = 'ScriptRenderError';
}

export const PRELUDE_FILE = new URL('./prelude.bash', import.meta.url);

const BASH_SHEBANGS = new Set(['#!/usr/bin/env bash', '#!/bin/bash']);
const SH_SHEBANGS = new Set(['#!/bin/sh']);
const PLACEHOLDER = /@([a-z][a-z0-9_]*)@/g;
/** What may stand either side of a placeholder: it is then one or more whole shell words. */
const WORD_BEFORE = /^$|[\s=(]$/;
const WORD_AFTER = /^$|^[\s);]/;

const sources = new Map<string, string>();

function readSource(file: string): string {
  let text = sources.get(file);
  if (text === undefined) {
    text = readFileSync(file, 'utf8');
    sources.set(file, text);
  }
  return text;
}

function shown(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}

/** A script file's path from a `new URL('../scripts/x.sh', import.meta.url)` or a path. */
export function scriptPath(file: URL | string): string {
  return file instanceof URL ? fileURLToPath(file) : file;
}

/** The prelude's lines, without its own shebang and the comment that explains it. */
export function preludeLines(): string[] {
  return leadingComment(readSource(scriptPath(PRELUDE_FILE)).split('\n')).rest.filter((l, i, all) => l !== '' || i < all.length - 1);
}

/** Splits the lines after the shebang into the leading comment block and the rest. */
function leadingComment(lines: readonly string[]): { comment: string[]; rest: string[] } {
  let end = 1;
  while (end < lines.length && lines[end]!.startsWith('#')) end++;
  return { comment: lines.slice(1, end), rest: lines.slice(end) };
}

function wordsOf(value: Word | readonly Word[]): string {
  return typeof value === 'object' ? value.map((v) => shellQuote(String(v))).join(' ') : shellQuote(String(value));
}

function isRows(value: ScriptValue): value is ScriptRows {
  return typeof value === 'object' && 'rows' in value;
}

/** Replaces every placeholder of `text` (lines of `file`); collects what is wrong instead of stopping at the first. */
function substitute(text: string, file: string, values: Readonly<Record<string, ScriptValue>>, faults: string[]): string {
  const used = new Set<string>();
  const lines = text.split('\n').flatMap((line, i) => {
    const where = `${shown(file)}:${i + 1}`;
    let rows: ScriptRows['rows'] | undefined;
    const placeholders = [...line.matchAll(PLACEHOLDER)].length;
    const replaced = line.replace(PLACEHOLDER, (match, name: string, at: number) => {
      if (!WORD_BEFORE.test(line.slice(0, at)) || !WORD_AFTER.test(line.slice(at + match.length))) {
        faults.push(`${where}: the placeholder ${match} is part of a word or a quoted string; write it as a whole word (\`x=${match}\`, \`(${match})\`, \`cmd ${match}\`) so its value is quoted as shell words`);
        return match;
      }
      const value = values[name];
      if (value === undefined) {
        faults.push(`${where}: the placeholder ${match} has no value; pass values.${name} to renderScript`);
        return match;
      }
      used.add(name);
      if (!isRows(value)) return wordsOf(value);
      if (placeholders > 1) faults.push(`${where}: ${match} holds rows (a line per row), so it must be the only placeholder on its line`);
      rows = value.rows;
      return match;
    });
    if (!rows) return [replaced];
    const template = replaced;
    return rows.map((row) => template.replace(PLACEHOLDER, () => wordsOf(row)));
  });
  for (const name of Object.keys(values).filter((n) => !used.has(n)).sort()) {
    faults.push(`${shown(file)}: the value ${name} is given but the script has no placeholder @${name}@; remove it from values or use it in the script`);
  }
  return lines.join('\n');
}

/** Renders script text read from `file` (the name is for messages). Exported for tests. */
export function renderScriptText(source: string, file: string, options: RenderScriptOptions): string {
  const faults: string[] = [];
  const lines = substitute(source, file, options.values ?? {}, faults).split('\n');
  const shebang = lines[0] ?? '';
  const bash = BASH_SHEBANGS.has(shebang);
  if (!bash && !SH_SHEBANGS.has(shebang)) {
    faults.push(`${shown(file)}:1: the script starts with ${JSON.stringify(shebang)}, not a shebang of ${[...BASH_SHEBANGS, ...SH_SHEBANGS].join(', ')}`);
  }
  if (faults.length > 0) throw new ScriptRenderError(`cannot render ${shown(file)}:\n${faults.map((f) => `  - ${f}`).join('\n')}`);
  const { comment, rest } = leadingComment(lines);
  return [shebang, ...options.header.map((h) => `# ${h}`), ...comment, ...(bash ? preludeLines() : []), ...rest].join('\n');
}

/** The script a package ships: `file` is usually `new URL('../scripts/<name>.sh', import.meta.url)`. */
export function renderScript(file: URL | string, options: RenderScriptOptions): string {
  const at = scriptPath(file);
  let source: string;
  try {
    source = readSource(at);
  } catch (error) {
    throw new ScriptRenderError(`cannot read the script ${shown(at)}: ${(error as Error).message}. Scripts live beside their package (scripts/<name>.sh) and must ship with it.`);
  }
  return renderScriptText(source, at, options);
}
