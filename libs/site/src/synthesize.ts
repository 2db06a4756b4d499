import { fileURLToPath } from 'node:url';
import { loadHomelab, synthesizeSite, type SiteSynthesis } from '@homelab/core';
import { site } from './index.ts';

/** The workspace this site lives in. */
export const WORKSPACE_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

let cached: Promise<SiteSynthesis> | undefined;

/** Synthesizes this site's every package in memory (cached per process), for package tests. */
export function synthesizeThisSite(): Promise<SiteSynthesis> {
  cached ??= loadHomelab(WORKSPACE_ROOT, site).then((home) => synthesizeSite(home));
  return cached;
}

/** The synthesized files of one service, by dist path. */
export interface Synthesized {
  readonly files: ReadonlyMap<string, string>;
  readonly json: (path: string) => any;
  readonly text: (path: string) => string;
  /** The root-only settings (pct/qm set) of the guest with this VMID, key → value, from its node script. */
  readonly rootSettings: (vmid: number) => Record<string, string>;
}

export async function synthesized(service: string): Promise<Synthesized> {
  const s = await synthesizeThisSite();
  const result = s.results.find((r) => r.service === service);
  if (!result) throw new Error(`service ${service} was not synthesized; problems: ${s.problems.map((p) => p.code).join(', ')}`);
  const text = (path: string) => {
    const content = result.files.get(path);
    if (content === undefined) throw new Error(`${service} has no ${path}; it has ${[...result.files.keys()].join(', ')}`);
    return content;
  };
  const rootSettings = (vmid: number) => {
    const path = [...result.files.keys()].find((f) => new RegExp(`/usr/local/lib/homelab/guests/${vmid}-[^/]+\\.sh$`).test(f));
    if (!path) throw new Error(`${service} has no root-settings script for guest ${vmid}`);
    // A value is one shell word: bare when it is a safe word, else single-quoted (shellQuote).
    return Object.fromEntries([...text(path).matchAll(/^want (\S+) (?:'((?:[^']|'\\'')*)'|([^\s']+))/gm)].map((m) => [m[1]!, m[2] !== undefined ? m[2].replaceAll("'\\''", "'") : m[3]!]));
  };
  return { files: result.files, text, json: (path) => JSON.parse(text(path)), rootSettings };
}
