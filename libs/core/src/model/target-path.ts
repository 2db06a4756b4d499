/**
 * The grammar of a config file's target path: the one place a path is judged before it reaches
 * dist/, a playbook field (which Ansible evaluates as Jinja) or a remote shell. A path is
 * absolute, normalized and made only of a strict safe set of characters, so it can be neither a
 * template, nor a command, nor a climb out of the directory the plan shows.
 */
import { Buffer } from 'node:buffer';

/** Linux's limits (PATH_MAX, NAME_MAX): a longer path fails at write time (ENAMETOOLONG). */
export const TARGET_PATH_MAX_BYTES = 4096;
export const TARGET_PATH_COMPONENT_MAX_BYTES = 255;

/** One path component: letters, digits, `._-+@%=:,~`, and systemd's `\xNN` escapes (`mnt-pve-nas\x2dmedia.automount`). */
const SAFE_COMPONENT = /^(?:[A-Za-z0-9._+@%=:,~-]|\\x[0-9a-f]{2})+$/;
const SAFE_CHAR = /[A-Za-z0-9._+@%=:,~/-]/;

export type TargetPathFault =
  | { readonly kind: 'relative' }
  | { readonly kind: 'too-long'; readonly bytes: number }
  | { readonly kind: 'component-too-long'; readonly component: number; readonly bytes: number }
  | { readonly kind: 'template' }
  | { readonly kind: 'unsafe-character'; readonly character: string; readonly index: number }
  | { readonly kind: 'not-normalized' };

/**
 * Every class of fault of a target path, in the order they are worth fixing; empty when the path
 * is good. A template is reported as such, not again as its unsafe characters.
 */
export function targetPathFaults(path: string): TargetPathFault[] {
  const faults: TargetPathFault[] = [];
  if (!path.startsWith('/')) faults.push({ kind: 'relative' });
  const bytes = Buffer.byteLength(path, 'utf8');
  if (bytes > TARGET_PATH_MAX_BYTES) faults.push({ kind: 'too-long', bytes });
  const components = path.split('/');
  const longest = components.reduce((best, c, i) => (Buffer.byteLength(c, 'utf8') > best.bytes ? { i, bytes: Buffer.byteLength(c, 'utf8') } : best), { i: -1, bytes: 0 });
  if (longest.bytes > TARGET_PATH_COMPONENT_MAX_BYTES) faults.push({ kind: 'component-too-long', component: longest.i, bytes: longest.bytes });
  if (/\{[{%#]|[%}]\}/.test(path)) {
    faults.push({ kind: 'template' });
  } else {
    const bad = firstUnsafeCharacter(path);
    if (bad) faults.push({ kind: 'unsafe-character', ...bad });
  }
  const segments = path.startsWith('/') ? components.slice(1) : components;
  if (segments.some((s) => s === '' || s === '.' || s === '..')) faults.push({ kind: 'not-normalized' });
  return faults;
}

/** True when the path has no fault at all. */
export function isSafeTargetPath(path: string): boolean {
  return targetPathFaults(path).length === 0;
}

/** The first character outside the safe set (a backslash counts only as part of a `\xNN` escape). */
function firstUnsafeCharacter(path: string): { character: string; index: number } | undefined {
  for (let i = 0; i < path.length; i += 1) {
    const c = path[i]!;
    if (c === '\\' && /^\\x[0-9a-f]{2}/.test(path.slice(i, i + 4))) {
      i += 3;
      continue;
    }
    if (!SAFE_CHAR.test(c)) return { character: c, index: i };
  }
  return undefined;
}

/** One component is safe (exported for names built from parts, e.g. a unit file name). */
export function isSafePathComponent(component: string): boolean {
  return SAFE_COMPONENT.test(component) && component !== '.' && component !== '..' && Buffer.byteLength(component, 'utf8') <= TARGET_PATH_COMPONENT_MAX_BYTES;
}
