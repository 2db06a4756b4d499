/**
 * The OS images no node can download (no `source`: a site's own image) must be on every node
 * that runs a guest of them before that guest's service deploys: a named check, read from each
 * node's storage listing, whose fix is the exact commands to place the file. The listing is
 * shared with the images bootstrap fetches itself (node-fetched-images.ts).
 */
import { imageVolume, osImagesOf, type OsImage } from '../model/os-images.ts';
import type { Homelab } from '../model/homelab.ts';
import { shellQuote } from '../shell/quote.ts';
import type { BootstrapBlocker, BootstrapContext, PlannedStep } from './phase.ts';
import { onHost, pveshGet, run, type Host } from './remote.ts';
import type { ToolCommand } from '../fleet/process-runner.ts';

/** One image a node must hold before the guests placed there can be created. */
export interface HandPlacedImage {
  readonly image: string;
  readonly file: string;
  readonly node: string;
  readonly services: readonly string[];
  readonly byHand?: OsImage['byHand'];
}

/** Every image without a source that a guest boots from, per node, in node then image order. */
export function handPlacedImages(home: Homelab): HandPlacedImage[] {
  return imagesOnNodes(home, (image) => !image.source);
}

/** The images `keep` selects that guests boot from, per node that runs one, in node then image order. */
export function imagesOnNodes(home: Homelab, keep: (image: OsImage) => boolean): HandPlacedImage[] {
  const images = osImagesOf(home.site);
  const byKey = new Map<string, { image: string; file: string; node: string; services: Set<string>; byHand?: OsImage['byHand'] }>();
  for (const s of home.services) {
    for (const g of s.guests) {
      const image = images[g.os];
      const node = g.node?.name ?? g.placement.node;
      if (!image || !keep(image) || !image.file || !node) continue;
      const key = `${node} ${g.os}`;
      const entry = byKey.get(key) ?? { image: g.os, file: image.file, node, services: new Set<string>(), ...(image.byHand ? { byHand: image.byHand } : {}) };
      entry.services.add(s.name);
      byKey.set(key, entry);
    }
  }
  return [...byKey.values()].sort((a, b) => a.node.localeCompare(b.node) || a.image.localeCompare(b.image))
    .map((e) => ({ ...e, services: [...e.services].sort() }));
}

function listing(ctx: Pick<BootstrapContext, 'site' | 'sshUser'>, host: Host, content: string): ToolCommand {
  return onHost(ctx, host, [...pveshGet(`/nodes/${host.name}/storage/${ctx.site.storage.images}/content`), '--content', content], `${host.name}: ${ctx.site.storage.images} ${content} content`);
}

/** What the operator runs on the node: download, unpack, put it where the storage keeps that file. */
function placeCommand(storage: string, p: HandPlacedImage): string {
  const volume = `${storage}:${p.file}`;
  if (!p.byHand) return `copy the file to the path \`pvesm path ${volume}\` prints on ${p.node}`;
  const tmp = `/var/tmp/${imageVolume(p.file).name}.download`;
  return `on ${p.node}: curl -fL -o ${tmp} ${shellQuote(p.byHand.url)} && ${p.byHand.unpack} < ${tmp} > "$(pvesm path ${volume})" && rm ${tmp}`;
}

export function describeHandPlacedImages(ctx: Pick<BootstrapContext, 'site' | 'home' | 'sshUser'>): PlannedStep[] {
  return handPlacedImages(ctx.home).flatMap((p) => {
    const host = ctx.site.nodes.find((n) => n.name === p.node);
    return host ? [{ what: `${p.file} is on ${p.node} (placed by hand: no node can download it), for ${p.services.join(', ')}`, manual: true, mutates: false, command: listing(ctx, host, imageVolume(p.file).content) }] : [];
  });
}

interface ContentEntry { readonly volid?: string }

/** Whether the images storage of `host` lists `file`; undefined with the reason when it cannot be listed. */
export async function imageOnNode(ctx: BootstrapContext, host: Host, file: string): Promise<{ present: boolean; error?: string }> {
  const result = await run(ctx, listing(ctx, host, imageVolume(file).content));
  if (result.exitCode !== 0) return { present: false, error: `the storage ${ctx.site.storage.images} on ${host.name} cannot be listed (exit ${result.exitCode}): ${result.stderr.trim().split('\n').at(-1) ?? ''}` };
  let entries: ContentEntry[] = [];
  try { entries = JSON.parse(result.stdout) as ContentEntry[]; } catch { entries = []; }
  return { present: Array.isArray(entries) && entries.some((e) => e.volid === `${ctx.site.storage.images}:${file}`) };
}

/** A blocker for each image not on a node that needs it; read-only. */
export async function handPlacedImageBlockers(ctx: BootstrapContext): Promise<BootstrapBlocker[]> {
  const blockers: BootstrapBlocker[] = [];
  const storage = ctx.site.storage.images;
  for (const p of handPlacedImages(ctx.home)) {
    const host = ctx.site.nodes.find((n) => n.name === p.node);
    if (!host) continue;
    const on = await imageOnNode(ctx, host, p.file);
    if (on.present) continue;
    const volume = `${storage}:${p.file}`;
    blockers.push({
      check: `image:${p.node}:${p.image}`,
      message: on.error ?? `${volume} is not on ${p.node}; ${p.services.join(', ')} boot${p.services.length === 1 ? 's' : ''} from it and no node can download it`,
      fix: `Place it once, then rerun: ${placeCommand(storage, p)}`,
    });
  }
  return blockers;
}
