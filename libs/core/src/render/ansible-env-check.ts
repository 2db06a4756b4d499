/**
 * The first play of a generated playbook that reads environment variables (secrets, through
 * `lookup('ansible.builtin.env', ...)`): it stops the whole run, before any task changes
 * anything, when one of them is unset or empty. Ansible's env lookup returns '' for an unset
 * variable, so without it a playbook run by hand writes blank secrets and recreates the stacks.
 *
 * Why this shape (checked with the real ansible-playbook, libs/core/test/ansible-env-check.test.ts):
 * - `hosts: all` (not `localhost`): a `--limit` still leaves hosts in this play, so the check
 *   cannot be limited away;
 * - the first host of the play reports for all, and `any_errors_fatal: true` fails every other
 *   host with it; a play whose hosts all failed ends the playbook: no later play runs;
 * - `fail` is an action that runs on the controller, where the lookups are evaluated: no host is
 *   contacted;
 * - `tags: [always]`: `--tags files` or `--skip-tags stack` still run the check;
 * - the message names variables, never a value (`no_log` would hide the names too);
 * - the names and the fix are task variables, data to Ansible (ansible-data.ts); only the
 *   expressions below, built from constants, are evaluated.
 */
import { ansibleExpression } from './ansible-data.ts';
import { findLookupReferences } from './secrets.ts';

/** Every variable `contents` read through the env lookup, sorted, once each. */
export function envLookupNames(contents: readonly string[]): string[] {
  return [...new Set(contents.flatMap(findLookupReferences))].sort();
}

/** Where the message points an operator whose variables are missing. */
function fixHint(service: string): string {
  return `Fix: export each one (export NAME=...), or run \`npx homelab deploy --service ${service}\`, which checks them first.`;
}

/** The play that must come first; undefined when the playbook reads no environment variable. */
export function envCheckPlay(service: string, names: readonly string[]): Record<string, unknown> | undefined {
  if (names.length === 0) return undefined;
  return {
    name: `Check the environment ${service} reads is set`,
    hosts: 'all',
    gather_facts: false,
    // An ansible.cfg that makes `free` the default must not change how this play stops the run.
    strategy: 'linear',
    any_errors_fatal: true,
    tasks: [{
      name: 'Stop before any change when an environment variable is unset or empty',
      'ansible.builtin.fail': { msg: ansibleExpression("Not set or empty: {{ homelab_missing_env | join(', ') }}. Nothing was changed. {{ homelab_env_fix }}") },
      vars: {
        homelab_env_names: [...names],
        // The env lookup returns '' for an unset variable; only the names of empty ones are kept.
        homelab_missing_env: ansibleExpression("{{ homelab_env_names | zip(query('ansible.builtin.env', *homelab_env_names)) | rejectattr('1') | map(attribute='0') | list }}"),
        homelab_env_fix: fixHint(service),
      },
      // One host reports for all (run_once would do the same, but ansible-lint's run-once rule
      // rejects it); any_errors_fatal then fails every other host, which ends the playbook.
      when: [ansibleExpression('inventory_hostname == ansible_play_hosts_all[0]'), ansibleExpression('homelab_missing_env | length > 0')],
      tags: ['always'],
    }],
  };
}
