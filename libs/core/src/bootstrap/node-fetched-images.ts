/**
 * The images whose download PVE's download-url cannot unpack (`source.unpackOnNode`: HAOS ships
 * only as .qcow2.xz): bootstrap places them itself, on every node that runs a guest of one,
 * before the services deploy. On the node, over SSH: download to /var/tmp, check the download
 * against the checksum the site pins (imageChecksums, as for every image), unpack into the path
 * `pvesm path` gives the volume through a `.partial` file renamed once whole, remove the
 * download; then the storage listing must show the file. An unpinned checksum is the services
 * phase's unmeasured blocker, so nothing is fetched unverified.
 */
import { pinnedImage } from '../model/image-checksums.ts';
import { imageVolume, osImagesOf } from '../model/os-images.ts';
import type { Homelab } from '../model/homelab.ts';
import type { Site } from '../model/site.ts';
import { shellQuote } from '../shell/quote.ts';
import type { BootstrapBlocker, BootstrapContext, PlannedStep } from './phase.ts';
import { imageOnNode, imagesOnNodes, type HandPlacedImage } from './hand-placed-images.ts';
import { lastLine, onHost, run } from './remote.ts';
import type { ToolCommand } from '../fleet/process-runner.ts';

const UNPACK: Readonly<Record<'xz', string>> = { xz: 'xz -d' };

/** Exit code of the fetch script when the download is not what the site pinned. */
export const FETCH_CHECKSUM_MISMATCH = 3;

/** Every image a guest boots from that the nodes fetch through bootstrap, per node. */
export function nodeFetchedImages(home: Homelab): HandPlacedImage[] {
  return imagesOnNodes(home, (image) => image.source?.unpackOnNode !== undefined);
}

/** The shell script the node runs: download, verify, unpack, rename. */
export function fetchScript(site: Site, image: string): string | undefined {
  const pinned = pinnedImage(site, image);
  const unpack = pinned?.image.source.unpackOnNode;
  if (!pinned || !unpack) return undefined;
  const { url, checksumAlgorithm: algorithm } = pinned.image.source;
  const volume = `${site.storage.images}:${pinned.image.file}`;
  const tmp = `/var/tmp/${imageVolume(pinned.image.file).name}.download`;
  return [
    'set -euo pipefail',
    `dest="$(pvesm path ${shellQuote(volume)})"`,
    `tmp=${shellQuote(tmp)}`,
    'mkdir -p "$(dirname "$dest")"',
    `curl -fsSL --retry 3 -o "$tmp" ${shellQuote(url)}`,
    `if ! printf '%s  %s\\n' ${shellQuote(pinned.checksum)} "$tmp" | ${algorithm}sum -c --status -; then rm -f "$tmp"; echo ${shellQuote(`the ${algorithm} of ${url} is not the one pinned in imageChecksums.${image}`)} >&2; exit ${FETCH_CHECKSUM_MISMATCH}; fi`,
    `${UNPACK[unpack]} < "$tmp" > "$dest.partial"`,
    'mv "$dest.partial" "$dest"',
    'rm -f "$tmp"',
  ].join('\n');
}

function fetchCommand(ctx: Pick<BootstrapContext, 'site' | 'home' | 'sshUser'>, p: HandPlacedImage): ToolCommand | undefined {
  const host = ctx.site.nodes.find((n) => n.name === p.node);
  const script = fetchScript(ctx.site, p.image);
  return host && script ? onHost(ctx, host, ['bash', '-c', script], `fetch ${p.file}`) : undefined;
}

export function describeNodeFetchedImages(ctx: Pick<BootstrapContext, 'site' | 'home' | 'sshUser'>): PlannedStep[] {
  return nodeFetchedImages(ctx.home).map((p) => {
    const command = fetchCommand(ctx, p);
    const source = osImagesOf(ctx.site)[p.image]?.source?.url ?? 'its source';
    return {
      what: `${p.file} on ${p.node} for ${p.services.join(', ')}, when missing: downloaded on the node from ${source}, checked against imageChecksums.${p.image}${command ? '' : ' (not pinned yet: blocked)'}, unpacked`,
      mutates: true,
      ...(command ? { command } : {}),
    };
  });
}

/** Fetches each missing one whose checksum is pinned; a failure or a file still missing is a blocker. */
export async function placeNodeFetchedImages(ctx: BootstrapContext): Promise<{ changed: string[]; verified: string[]; blockers: BootstrapBlocker[] }> {
  const changed: string[] = [];
  const verified: string[] = [];
  const blockers: BootstrapBlocker[] = [];
  for (const p of nodeFetchedImages(ctx.home)) {
    const host = ctx.site.nodes.find((n) => n.name === p.node);
    const command = fetchCommand(ctx, p);
    if (!host || !command) continue;
    const check = `image:${p.node}:${p.image}`;
    const before = await imageOnNode(ctx, host, p.file);
    if (before.error) { blockers.push({ check, message: before.error, fix: `Check that the storage ${ctx.site.storage.images} exists on ${p.node} (pvesm status), then rerun.` }); continue; }
    if (before.present) { verified.push(`${p.file} is on ${p.node}`); continue; }
    ctx.out(`  ${p.node}: fetching ${p.file} (${p.services.join(', ')} boot${p.services.length === 1 ? 's' : ''} from it)`);
    const result = await run(ctx, command);
    if (result.exitCode !== 0) {
      blockers.push({
        check, message: `fetching ${p.file} on ${p.node} failed (exit ${result.exitCode}): ${lastLine(result.stderr) || lastLine(result.stdout)}`,
        fix: result.exitCode === FETCH_CHECKSUM_MISMATCH
          ? `The download is not what imageChecksums.${p.image} pins: check the pin against the vendor's release (docs/bootstrap.md, "Images"), then rerun.`
          : `Check that ${p.node} reaches the download (curl) and has room in ${ctx.site.storage.images}, then rerun.`,
      });
      continue;
    }
    const after = await imageOnNode(ctx, host, p.file);
    if (!after.present) { blockers.push({ check, message: after.error ?? `${p.file} was fetched on ${p.node} but ${ctx.site.storage.images} does not list it`, fix: `Check \`pvesm path ${ctx.site.storage.images}:${p.file}\` on ${p.node}, then rerun.` }); continue; }
    changed.push(`${p.node}: fetched ${p.file}`);
  }
  return { changed, verified, blockers };
}
