/**
 * alertmanager-config through `amtool check-config` (Debian package prometheus-alertmanager).
 *
 * Debian 12 ships amtool 0.25; the homelab runs Alertmanager 0.28, whose config uses keys 0.25
 * does not know (`webhook_url_file`, `url_file`) and rejects ("field url_file not found in type
 * config.plain"). Dropping the check would hide every other mistake in the file, and passing it
 * would be a lie, so: when the installed amtool is older than a key in NEWER_KEYS, amtool checks a
 * copy in which that key is replaced by its older equivalent with a placeholder value, and the
 * result carries a warning naming each replacement. Keys not in the table are never touched: if
 * amtool rejects them, the check fails.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import type { Problem } from '../../../model/problem.ts';
import { compareVersions, parseVersion } from '../find-tools.ts';
import { helperName, type LaidOutArtifact } from '../layout.ts';
import { abnormalExit, toolMessage } from '../run-validator.ts';
import { abnormalProblem, checkResult, linePath, missingResult, toolOutput, toolPath, type ToolCheck, type ToolCheckContext } from '../tool-check.ts';

export const AMTOOL_CHECK = 'amtool check-config';

export interface NewerAlertmanagerKey {
  /** The receiver list the key lives in, e.g. `discord_configs`. */
  readonly configs: string;
  readonly key: string;
  /** First Alertmanager release whose config loader accepts the key as we use it. */
  readonly since: string;
  /** The older key it stands for, with a placeholder value of the right type. */
  readonly replacement: string;
  readonly placeholder: string;
  readonly reference: string;
}

const PLACEHOLDER_URL = 'https://placeholder.invalid/amtool-compat';

/** Alertmanager config keys newer than Debian 12's amtool, with what they stand for. */
export const NEWER_KEYS: readonly NewerAlertmanagerKey[] = [
  { configs: 'webhook_configs', key: 'url_file', since: '0.26.0', replacement: 'url', placeholder: PLACEHOLDER_URL, reference: 'alertmanager#3223 (0.26.0)' },
  // Added in 0.27.0, but only usable without webhook_url since 0.28.0 (alertmanager#3728).
  { configs: 'discord_configs', key: 'webhook_url_file', since: '0.28.0', replacement: 'webhook_url', placeholder: PLACEHOLDER_URL, reference: 'alertmanager 0.27.0, fixed in 0.28.0 (#3728)' },
  { configs: 'msteams_configs', key: 'webhook_url_file', since: '0.27.0', replacement: 'webhook_url', placeholder: PLACEHOLDER_URL, reference: 'alertmanager#3555 (0.27.0)' },
  { configs: 'pushover_configs', key: 'user_key_file', since: '0.26.0', replacement: 'user_key', placeholder: 'placeholder', reference: 'alertmanager 0.26.0' },
  { configs: 'pushover_configs', key: 'token_file', since: '0.26.0', replacement: 'token', placeholder: 'placeholder', reference: 'alertmanager 0.26.0' },
];

export interface KeyReplacement {
  /** `receivers[0].discord_configs[0].webhook_url_file` */
  readonly at: string;
  readonly line: number;
  readonly key: NewerAlertmanagerKey;
}

/**
 * The text with every key of `keys` replaced (key and value, on their own line, so line numbers
 * stay the same), and the list of replacements. Only block-style mappings under
 * `receivers[*].<configs>[*]` are touched.
 */
export function replaceNewerKeys(text: string, keys: readonly NewerAlertmanagerKey[]): { text: string; replacements: KeyReplacement[] } {
  const doc = parseDocument(text);
  const edits: { start: number; end: number; insert: string }[] = [];
  const replacements: KeyReplacement[] = [];
  const lineOf = (offset: number): number => text.slice(0, offset).split('\n').length;
  const receivers = isMap(doc.contents) ? doc.contents.get('receivers', true) : undefined;
  if (!isSeq(receivers)) return { text, replacements };
  receivers.items.forEach((receiver, r) => {
    if (!isMap(receiver)) return;
    for (const configs of new Set(keys.map((k) => k.configs))) {
      const list = receiver.get(configs, true);
      if (!isSeq(list)) continue;
      list.items.forEach((config, c) => {
        if (!isMap(config)) return;
        for (const pair of config.items) {
          const keyNode = pair.key as Node | null;
          const valueNode = pair.value as Node | null;
          if (!isScalar(keyNode) || !keyNode.range) continue;
          const spec = keys.find((k) => k.configs === configs && k.key === keyNode.value);
          if (!spec) continue;
          if (config.has(spec.replacement)) continue;
          edits.push({ start: keyNode.range[0], end: keyNode.range[1], insert: spec.replacement });
          if (isScalar(valueNode) && valueNode.range) edits.push({ start: valueNode.range[0], end: valueNode.range[1], insert: JSON.stringify(spec.placeholder) });
          replacements.push({ at: `receivers[${r}].${configs}[${c}].${spec.key}`, line: lineOf(keyNode.range[0]), key: spec });
        }
      });
    }
  });
  let out = text;
  for (const edit of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, edit.start) + edit.insert + out.slice(edit.end);
  return { text: out, replacements };
}

export async function checkAmtool(ctx: ToolCheckContext, artifact: LaidOutArtifact, content: string): Promise<ToolCheck> {
  const amtool = toolPath(ctx, 'amtool');
  if (!amtool) return missingResult(ctx, artifact, AMTOOL_CHECK, 'amtool');
  const versionLine = await ctx.version('amtool', ['--version']);
  const version = versionLine ? parseVersion(versionLine.replace(/^amtool,\s*/, '')) : undefined;
  const notes: string[] = [];
  const problems: Problem[] = [];
  let target = path.basename(artifact.path);
  if (!version) {
    notes.push('amtool did not report its version: the file was checked as written, with no key replaced');
  } else {
    const older = NEWER_KEYS.filter((k) => compareVersions(version, parseVersion(k.since)!) < 0);
    const { text, replacements } = replaceNewerKeys(content, older);
    if (replacements.length) {
      target = helperName(artifact.path, `amtool-${version.join('.')}`);
      await writeFile(path.join(path.dirname(artifact.path), target), text);
      const v = version.join('.');
      for (const { at, line, key } of replacements) {
        problems.push({
          source: artifact.source, path: linePath(line), code: 'AmtoolPredatesKey', severity: 'warning',
          message: `amtool ${v} predates ${key.key} (${key.reference}): checked a copy with ${at} replaced by ${key.replacement}: ${JSON.stringify(key.placeholder)}; amtool did NOT check that line itself (only the JSON schema did: it must be a string)`,
          fix: `Install amtool >= ${key.since} to check the file as written (Debian 12 ships 0.25).`,
        });
      }
      notes.push(`amtool ${v} checked a copy with ${replacements.length} key${replacements.length === 1 ? '' : 's'} newer than it replaced by older equivalents (see the warnings)`);
    }
  }
  const exit = await ctx.runner.run({ label: AMTOOL_CHECK, file: amtool, args: ['check-config', target], cwd: path.dirname(artifact.path) });
  if (abnormalExit(exit)) return checkResult(artifact, AMTOOL_CHECK, 'amtool', [...problems, abnormalProblem(artifact, AMTOOL_CHECK, exit, ctx)], notes);
  if (exit.exitCode !== 0) {
    const lines = toolOutput(exit, ctx, (l) => !/^amtool: error: failed to validate/.test(l) && !/^\s*(Found:|- )/.test(l))
      .map((l) => l.replace(/^Checking '[^']*'\s*/, '').replace(target, path.basename(artifact.path)));
    problems.push({
      source: artifact.source, path: '', code: 'AmtoolCheckFailed',
      message: `${AMTOOL_CHECK} rejected the file:\n        ${toolMessage(lines.length ? lines : [`exit code ${exit.exitCode}`])}`,
      fix: 'Fix the Alertmanager config where amtool points; the lines above are amtool\'s own message.',
    });
  }
  return checkResult(artifact, AMTOOL_CHECK, 'amtool', problems, notes);
}
