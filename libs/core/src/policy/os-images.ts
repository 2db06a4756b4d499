import { ProblemCollector } from '../model/collector.ts';
import type { Problem } from '../model/problem.ts';
import { osImagesOf } from '../model/os-images.ts';
import type { PolicyRule } from './rule.ts';

/**
 * A guest's `os` names an image core knows (model/os-images.ts) or the site declares
 * (site.osImages), of the guest's own kind:
 * an unknown name would be passed to Proxmox as a template file that does not exist, and a VM
 * image cannot be an LXC's template (nor the other way round).
 */
export const osImagesRule: PolicyRule = {
  name: 'os-images',
  codes: ['UnknownOsImage', 'OsImageKindMismatch'],
  description: 'Every guest\'s os is a defined LXC template or VM image, of the guest\'s kind.',
  check: ({ site, services }) => {
    const problems: Problem[] = [];
    const images = osImagesOf(site);
    const known = Object.keys(images).sort();
    for (const s of services) {
      const out = new ProblemCollector(s.pkg.dir);
      // Only what the package wrote: the defaults are core's own and need no check.
      const declared: [string, 'lxc' | 'vm', string | undefined][] = [];
      if ((s.kind === 'lxc' || s.kind === 'vm') && s.props.os !== undefined) declared.push(['os', s.kind, s.props.os]);
      (s.props.guests ?? []).forEach((g, i) => { if (g.os !== undefined) declared.push([`guests[${i}].os`, g.kind, g.os]); });
      for (const [path, kind, os] of declared) {
        const image = os === undefined ? undefined : images[os];
        if (!image) {
          const fitting = known.filter((k) => images[k]!.kind === kind);
          out.report(path, 'UnknownOsImage', `"${os}" is not a defined OS image or template`, os, `Use one of the ${kind.toUpperCase()} images: ${fitting.join(', ')} (or declare the image in the site's osImages).`);
        } else if (image.kind !== kind) {
          const fitting = known.filter((k) => images[k]!.kind === kind);
          out.report(path, 'OsImageKindMismatch', `"${os}" is ${image.kind === 'vm' ? 'a VM image' : 'an LXC template'}, but the guest is ${kind === 'vm' ? 'a VM' : 'an LXC'}`, os, `Use one of the ${kind.toUpperCase()} images: ${fitting.join(', ')}.`);
        }
      }
      problems.push(...out.problems);
    }
    return problems;
  },
};
