/**
 * A problem found in a definition. Every check reports problems instead of throwing, so that one
 * run shows all of them at once (see docs/decisions.md: "validation grammar").
 */
export interface Problem {
  /** The package or file the problem belongs to, e.g. `packages/arr` or `libs/site`. */
  readonly source: string;
  /** Field path inside that source, e.g. `routes[2].auth`. */
  readonly path: string;
  /** Stable code, PascalCase, e.g. `AdminRouteWithoutAuth`. Tests and docs key on it. */
  readonly code: string;
  /** What is wrong, in one sentence. */
  readonly message: string;
  /** The value that was received, rendered for a terminal. */
  readonly received?: unknown;
  /** How to fix it, in one imperative sentence. */
  readonly fix: string;
  /** Warnings are printed but do not fail validation. */
  readonly severity?: 'error' | 'warning';
}

export function problem(p: Problem): Problem {
  return p;
}

export function isError(p: Problem): boolean {
  return (p.severity ?? 'error') === 'error';
}

export function renderValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    const text = JSON.stringify(value);
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
  } catch {
    return String(value);
  }
}

/** `packages/arr: routes[2]: AdminRouteWithoutAuth: ... Received "none". Set auth: "authentik".` */
export function formatProblem(p: Problem): string {
  const where = p.path ? `${p.source}: ${p.path}` : p.source;
  const received = 'received' in p && p.received !== undefined ? ` Received ${renderValue(p.received)}.` : '';
  const level = p.severity === 'warning' ? 'warning ' : '';
  return `${where}: ${level}${p.code}: ${p.message}${received} ${p.fix}`;
}

/** Groups problems by source, sorted, for a terminal. */
export function formatProblems(problems: readonly Problem[]): string {
  const bySource = new Map<string, Problem[]>();
  for (const p of problems) {
    const list = bySource.get(p.source) ?? [];
    list.push(p);
    bySource.set(p.source, list);
  }
  const lines: string[] = [];
  for (const source of [...bySource.keys()].sort()) {
    const list = bySource.get(source)!;
    lines.push(`${source} (${list.length} problem${list.length === 1 ? '' : 's'})`);
    for (const p of list) {
      const received = p.received !== undefined ? `\n      received: ${renderValue(p.received)}` : '';
      const level = p.severity === 'warning' ? 'warning' : 'error';
      lines.push(`  ${level} ${p.code} at ${p.path || '(root)'}\n      ${p.message}${received}\n      fix: ${p.fix}`);
    }
  }
  return lines.join('\n');
}

/** Thrown only at process edges, carrying every problem found. */
export class ValidationError extends Error {
  constructor(readonly problems: readonly Problem[]) {
    super(`${problems.length} problem${problems.length === 1 ? '' : 's'} found:\n${formatProblems(problems)}`);
    this.name = 'ValidationError';
  }
}
