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
export async function synthesized(service: string): Promise<{ files: ReadonlyMap<string, string>; json: (path: string) => any; text: (path: string) => string }> {
  const s = await synthesizeThisSite();
  const result = s.results.find((r) => r.service === service);
  if (!result) throw new Error(`service ${service} was not synthesized; problems: ${s.problems.map((p) => p.code).join(', ')}`);
  const text = (path: string) => {
    const content = result.files.get(path);
    if (content === undefined) throw new Error(`${service} has no ${path}; it has ${[...result.files.keys()].join(', ')}`);
    return content;
  };
  return { files: result.files, text, json: (path) => JSON.parse(text(path)) };
}
