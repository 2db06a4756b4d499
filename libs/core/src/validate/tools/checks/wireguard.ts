/**
 * WireGuard configs: no upstream schema or offline validator reads a whole wg-quick file, so
 * - `wireguard parse`: our parser (render/wireguard-parse.ts): sections, known keys, CIDRs,
 *   ports, endpoints, key shape, duplicate peers;
 * - `wg pubkey`: every key written literally (not a deploy-time `{{ lookup('env', ...) }}`
 *   reference) is given to the real `wg pubkey`, which accepts exactly the 32-byte base64 keys
 *   wg(8) accepts. The homelab's keys are all references, so there this check has nothing to
 *   read, and says so in a note.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Problem } from '../../../model/problem.ts';
import { parseWireguardConfig } from '../../../render/wireguard-parse.ts';
import type { LaidOutArtifact } from '../layout.ts';
import { abnormalExit } from '../run-validator.ts';
import { abnormalProblem, checkResult, linePath, missingResult, toolOutput, toolPath, type ToolCheck, type ToolCheckContext } from '../tool-check.ts';

export const WIREGUARD_PARSE_CHECK = 'wireguard parse';
export const WG_PUBKEY_CHECK = 'wg pubkey';

const KEY_FIELDS = ['PrivateKey', 'PublicKey', 'PresharedKey'] as const;
const REFERENCE = /^\{\{.*\}\}$/s;

export function checkWireguardParse(artifact: LaidOutArtifact, content: string): ToolCheck {
  const parsed = parseWireguardConfig(content);
  const problems: Problem[] = parsed.problems.map((p) => ({
    source: artifact.source, path: linePath(p.line), code: 'WireguardInvalid', message: p.message,
    fix: 'Fix the WireGuard file where the parser points (see wg(8) and wg-quick(8) for the keys).',
  }));
  return checkResult(artifact, WIREGUARD_PARSE_CHECK, undefined, problems);
}

interface LiteralKey {
  readonly field: (typeof KEY_FIELDS)[number];
  readonly value: string;
  readonly line: number;
}

/** Keys written literally, with their lines (references are skipped). */
export function literalKeys(content: string): LiteralKey[] {
  const keys: LiteralKey[] = [];
  content.split(/\r?\n/).forEach((raw, i) => {
    const m = /^\s*(PrivateKey|PublicKey|PresharedKey)\s*=\s*(.*?)\s*$/.exec(raw.replace(/#.*$/, ''));
    if (m && m[2] !== '' && !REFERENCE.test(m[2]!)) keys.push({ field: m[1] as LiteralKey['field'], value: m[2]!, line: i + 1 });
  });
  return keys;
}

export async function checkWgPubkey(ctx: ToolCheckContext, artifact: LaidOutArtifact, content: string): Promise<ToolCheck> {
  const keys = literalKeys(content);
  if (keys.length === 0) {
    const references = (content.match(/^\s*(PrivateKey|PublicKey|PresharedKey)\s*=/gm) ?? []).length;
    return checkResult(artifact, WG_PUBKEY_CHECK, 'wg', [], [`no literal key to check: ${references ? `all ${references} keys are deploy-time references` : 'the file has no key'}`]);
  }
  const wg = toolPath(ctx, 'wg');
  if (!wg) return missingResult(ctx, artifact, WG_PUBKEY_CHECK, 'wg');
  // wg pubkey reads the key on stdin: a fixed script feeds it a file (no shell string is built).
  const dir = await mkdtemp(path.join(ctx.base, 'wg-'));
  try {
    const problems: Problem[] = [];
    for (const [i, key] of keys.entries()) {
      const file = path.join(dir, `key-${i}`);
      await writeFile(file, `${key.value}\n`, { mode: 0o600 });
      const exit = await ctx.runner.run({ label: WG_PUBKEY_CHECK, file: '/bin/sh', args: ['-c', 'exec "$0" pubkey < "$1"', wg, file], cwd: dir });
      if (abnormalExit(exit)) {
        problems.push(abnormalProblem(artifact, WG_PUBKEY_CHECK, exit, ctx));
      } else if (exit.exitCode !== 0) {
        problems.push({
          source: artifact.source, path: linePath(key.line), code: 'WireguardKeyInvalid',
          message: `${key.field} is not a key wg accepts: ${toolOutput(exit, ctx).join(' ').split(`${wg}:`).join('wg:') || `exit code ${exit.exitCode}`}`,
          fix: 'Write a key made by `wg genkey` / `wg pubkey` (44 base64 characters), or a deploy-time reference.',
        });
      }
    }
    return checkResult(artifact, WG_PUBKEY_CHECK, 'wg', problems);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
