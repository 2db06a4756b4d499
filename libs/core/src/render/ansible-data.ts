/**
 * Generated playbooks and inventories hold model values (paths, owners, modes, unit names, stack
 * directories, package names, tags, addresses) as data, never as template. Ansible runs every
 * string of a play through Jinja, so a path holding `{{ lookup('pipe', ...) }}` ran a command on
 * the controller (issue 9). Policy rejects such values; this layer makes them harmless anyway.
 *
 * Why `!unsafe` on every string, and not `{% raw %}` or a vetting regex:
 * - Ansible's own YAML loader turns `!unsafe` into AnsibleUnsafeText, which its templar never
 *   evaluates: not in a module argument, a task name, a tag, a loop item, nor when the value is
 *   referenced from another expression (`{{ item }}`, `{{ homelab_dist_path }}`);
 * - `{% raw %}…{% endraw %}` is ended early by a value that contains `{% endraw %}`, and shows in
 *   fields Ansible does not template;
 * - inverted default: a string is data unless the code built it as an `AnsibleExpression` from
 *   constants, so a value added to a task later is safe without anyone remembering to mark it.
 * Mapping keys stay as they are: they are module and variable names, and inventory host names,
 * which Ansible does not template.
 */
import type { ScalarTag, Tags } from 'yaml';
import { Tagged } from './yaml.ts';

/** A Jinja expression or condition that homelab means Ansible to evaluate; built only from constants. */
export class AnsibleExpression {
  constructor(readonly text: string) {}
}

export function ansibleExpression(text: string): AnsibleExpression {
  return new AnsibleExpression(text);
}

/** The tag Ansible reads as "never template this". */
export const UNSAFE_TAG = '!unsafe';

/** For the YAML parser of tests and validation: `!unsafe x` is the string x. */
export const ANSIBLE_YAML_TAGS: Tags = [{ tag: UNSAFE_TAG, resolve: (value: string) => value } satisfies ScalarTag];

/** The tree as plain data, expressions as their text: for code and tests that inspect plays. */
export function plainAnsible(value: unknown): unknown {
  return mapStrings(value, (s) => s, (e) => e.text);
}

/** The tree for `toYaml`: every string tagged `!unsafe`, every expression left for Jinja. */
export function ansibleYamlData(value: unknown): unknown {
  return mapStrings(value, (s) => new Tagged(UNSAFE_TAG, s), (e) => e.text);
}

function mapStrings(value: unknown, onString: (s: string) => unknown, onExpression: (e: AnsibleExpression) => unknown): unknown {
  if (value instanceof AnsibleExpression) return onExpression(value);
  if (typeof value === 'string') return onString(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, onString, onExpression));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, onString, onExpression)]));
  }
  return value;
}
