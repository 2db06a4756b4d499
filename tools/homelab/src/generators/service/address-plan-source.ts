/**
 * Writes an address-plan entry into the site's source: finds the object literal that holds the
 * plan (the one whose keys are the plan's entries) and adds a line in the style of its
 * neighbours — same indentation, same quotes — after the entry with the next lower VMID, so the
 * file reads in VMID order as before. The repository has no formatter; the file's own style is
 * what stays stable.
 */
import ts from 'typescript';
import type { GuestPlacement } from './address-plan.ts';

export interface PlanSource {
  readonly path: string;
  readonly text: string;
}

/**
 * The object literal (in one of `files`) with the most of the plan's entries as its keys, at
 * least half of its own: the address plan as the site writes it.
 */
export function findPlanLiteral(files: readonly PlanSource[], planKeys: readonly string[]): { file: PlanSource; literal: ts.ObjectLiteralExpression; source: ts.SourceFile } | undefined {
  const keys = new Set(planKeys);
  let best: { file: PlanSource; literal: ts.ObjectLiteralExpression; source: ts.SourceFile; hits: number } | undefined;
  for (const file of files) {
    const source = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isObjectLiteralExpression(node)) {
        const hits = node.properties.filter((p) => ts.isPropertyAssignment(p) && keys.has(keyOf(p))).length;
        if (hits > 0 && hits * 2 >= node.properties.length && hits > (best?.hits ?? 0)) best = { file, literal: node, source, hits };
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return best;
}

export function insertPlanEntry(files: readonly PlanSource[], planKeys: readonly string[], name: string, placement: GuestPlacement): { path: string; text: string } | undefined {
  const hit = findPlanLiteral(files, planKeys);
  if (!hit) return undefined;
  const { file, literal, source } = hit;
  const props = literal.properties.filter(ts.isPropertyAssignment);
  const values = props.map((p) => p.initializer.getText(source)).join('\n');
  const quote = (values.match(/"/g)?.length ?? 0) > (values.match(/'/g)?.length ?? 0) ? '"' : '\'';
  const before = props.filter((p) => (vmidOf(p) ?? Infinity) < placement.vmid).at(-1);
  const anchor = before ?? props[0]!;
  const lineStart = file.text.lastIndexOf('\n', anchor.getStart(source)) + 1;
  const indent = /^[ \t]*/.exec(file.text.slice(lineStart))![0];
  const key = /^[A-Za-z_$][\w$]*$/.test(name) ? name : `${quote}${name}${quote}`;
  const line = `${indent}${key}: { node: ${quote}${placement.node}${quote}, vmid: ${placement.vmid}, ip: ${quote}${placement.ip}${quote} },\n`;
  // After the anchor's line (its trailing comma and comment included), or before the first entry.
  const at = before ? file.text.indexOf('\n', anchor.getEnd()) + 1 : lineStart;
  return { path: file.path, text: file.text.slice(0, at) + line + file.text.slice(at) };
}

function keyOf(p: ts.PropertyAssignment): string {
  return ts.isIdentifier(p.name) || ts.isStringLiteral(p.name) ? p.name.text : '';
}

function vmidOf(p: ts.PropertyAssignment): number | undefined {
  if (!ts.isObjectLiteralExpression(p.initializer)) return undefined;
  const vmid = p.initializer.properties.find((q) => ts.isPropertyAssignment(q) && keyOf(q) === 'vmid') as ts.PropertyAssignment | undefined;
  return vmid && ts.isNumericLiteral(vmid.initializer) ? Number(vmid.initializer.text) : undefined;
}
