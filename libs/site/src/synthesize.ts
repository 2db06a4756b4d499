import { fileURLToPath } from 'node:url';
import type { SiteSynthesis } from '@homelab/core';
import { synthesizeFor, synthesizeWorkspace, type Synthesized } from '@homelab/core/testing';
import { site } from './index.ts';

/** The workspace this site lives in. */
export const WORKSPACE_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export type { Synthesized };

/** Synthesizes this site's every package in memory (cached per process), for this site's own tests. */
export function synthesizeThisSite(): Promise<SiteSynthesis> {
  return synthesizeWorkspace(site, WORKSPACE_ROOT);
}

/** The synthesized files of one service of this site, by dist path. */
export function synthesized(service: string): Promise<Synthesized> {
  return synthesizeFor(site, service, { root: WORKSPACE_ROOT });
}
