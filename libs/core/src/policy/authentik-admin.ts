import { parseDocument } from 'yaml';
import { ProblemCollector } from '../model/collector.ts';
import type { Problem } from '../model/problem.ts';
import { APPLICATION_MODEL, applicationSlug, GROUP_MODEL, POLICY_BINDING_MODEL, protectedRoutes } from '../render/authentik-blueprint.ts';
import { BLUEPRINT_YAML_TAGS, BlueprintTag } from '../render/blueprint-tags.ts';
import { asRecord, filePath, renderedFiles, type RenderedFile } from './rendered-files.ts';
import type { PolicyRule } from './rule.ts';

interface Entry { readonly at: RenderedFile; readonly index: number; readonly body: Record<string, unknown> }

/**
 * Authentik governs who reaches an admin application, checked on the rendered blueprints: every
 * application of an admin route behind Authentik has an enabled, non-negated policy binding of
 * the site's admin group (site.identity.adminGroup), and a blueprint declares that group.
 * Without a binding, Authentik lets every authenticated user in: forward-auth alone proves who
 * someone is, not that they may administer anything.
 */
export const authentikAdminRule: PolicyRule = {
  name: 'authentik-admin',
  phase: 'rendered',
  codes: ['AdminGroupUndefined', 'AdminAppWithoutBinding'],
  description: 'Every Authentik application of an admin route has a policy binding of the site\'s admin group (identity.adminGroup), declared in a blueprint, so a non-admin Authentik user cannot reach it.',
  check: (ctx) => {
    if (!ctx.files) return [];
    const admins = ctx.services.filter((s) => ctx.files!.has(s.name)).flatMap((s) => protectedRoutes(s).filter((r) => r.admin).map((route) => ({ s, route, i: s.routes.indexOf(route) })));
    if (admins.length === 0) return [];
    const group = ctx.site.identity?.adminGroup;
    const problems: Problem[] = [];
    if (!group) {
      const first = admins[0]!;
      problems.push({
        source: ctx.siteSource, path: 'identity.adminGroup', code: 'AdminGroupUndefined',
        message: `${admins.length} admin route(s) sit behind Authentik (${first.route.fqdn} first), and the site names no admin group, so every Authentik user reaches them`, received: undefined,
        fix: 'Set identity: { adminGroup: "<Authentik group of the administrators>" } in the site.',
      });
      return problems;
    }
    const entries: Entry[] = renderedFiles(ctx, 'authentik-blueprint').flatMap((at) => {
      const doc = parseDocument(at.file.content, { customTags: BLUEPRINT_YAML_TAGS });
      if (doc.errors.length) return []; // schema validation reports unreadable blueprints
      const list = asRecord(doc.toJS()).entries;
      return Array.isArray(list) ? list.map((body, index) => ({ at, index, body: asRecord(body) })) : [];
    });
    const groupDeclared = entries.some((e) => e.body.model === GROUP_MODEL && asRecord(e.body.identifiers).name === group && e.body.state !== 'absent');
    for (const { s, route, i } of admins) {
      const slug = applicationSlug(s, route);
      const app = entries.find((e) => e.body.model === APPLICATION_MODEL && asRecord(e.body.identifiers).slug === slug);
      if (!app) continue; // not rendered in this run (partial synthesis), or forward-auth's business
      const bound = entries.some((e) => isAdminBinding(e.body, slug, app.body.id, group));
      const out = new ProblemCollector(s.pkg.dir);
      if (!bound) {
        out.report(`routes[${i}]`, 'AdminAppWithoutBinding', `admin route ${route.fqdn} has Authentik application "${slug}" (${filePath(app.at.file, 'entries', String(app.index))}) with no policy binding of group "${group}", so any Authentik user reaches it`, slug, `Bind group "${group}" to the application (serviceBlueprint with adminGroup renders ${POLICY_BINDING_MODEL} with target !Find [${APPLICATION_MODEL}, [slug, ${slug}]]).`);
      } else if (!groupDeclared) {
        out.report(`routes[${i}]`, 'AdminGroupUndefined', `application "${slug}" is bound to group "${group}", which no rendered blueprint declares, so the binding's !Find finds nothing and the blueprint fails`, group, `Declare ${GROUP_MODEL} with identifiers { name: "${group}" } in the blueprint (serviceBlueprint does).`);
      }
      problems.push(...out.problems);
    }
    return problems;
  },
};

function isAdminBinding(body: Record<string, unknown>, slug: string, appId: unknown, group: string): boolean {
  if (body.model !== POLICY_BINDING_MODEL || body.state === 'absent') return false;
  const both = { ...asRecord(body.attrs), ...asRecord(body.identifiers) };
  if (both.enabled === false || both.negate === true) return false;
  const target = both.target;
  const targetsApp = target instanceof BlueprintTag && (
    (target.tag === '!Find' && sameFind(target.args, APPLICATION_MODEL, 'slug', slug))
    || (target.tag === '!KeyOf' && typeof appId === 'string' && target.args === appId));
  const groupTag = both.group;
  return targetsApp && groupTag instanceof BlueprintTag && groupTag.tag === '!Find' && sameFind(groupTag.args, GROUP_MODEL, 'name', group);
}

function sameFind(args: unknown, model: string, field: string, value: string): boolean {
  return Array.isArray(args) && args[0] === model && Array.isArray(args[1]) && args[1][0] === field && args[1][1] === value;
}
