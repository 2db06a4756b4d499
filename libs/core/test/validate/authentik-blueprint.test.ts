import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { toYaml, tagged } from '../../src/render/yaml.ts';
import { BLUEPRINT_YAML_TAGS, BlueprintTag, substituteBlueprintTags, validateArtifact } from '../../src/validate/index.ts';
import { registry } from './helpers.ts';

const SCHEMA_ID = 'authentik-blueprint-2026.8.0-rc1';
const check = (content: string) => validateArtifact('authentik-blueprint', content, 'blueprints/grafana.yaml', { registry });

/** Every tag Authentik's BlueprintLoader defines, each where the schema expects a particular type. */
const WITH_EVERY_TAG = `version: 1
metadata: {name: grafana}
context: {enabled: true}
entries:
  - model: authentik_providers_proxy.proxyprovider
    id: grafana-provider
    identifiers: {name: !Format ["%s-proxy", !Env [APP, grafana]]}
    attrs:
      name: grafana
      authorization_flow: !Find [authentik_flows.flow, [slug, default-provider-authorization-implicit-consent]]
      invalidation_flow: !Find [authentik_flows.flow, [slug, default-provider-invalidation-flow]]
      external_host: !Format ["https://%s.lan", !Context [host, grafana]]
      internal_host: !File [/run/secrets/grafana-url, "http://10.0.20.5:3000"]
      mode: forward_single
      access_token_validity: !AtIndex [[hours=1, hours=2], 0]
      property_mappings: !Enumerate [[openid, email], SEQ, !Find [authentik_core.propertymapping, [managed, !Value 0]]]
  - model: authentik_core.application
    identifiers: {slug: grafana}
    conditions: [!Condition [AND, !Context enabled, true]]
    attrs:
      name: !If [!Context enabled, Grafana, grafana]
      slug: grafana
      provider: !KeyOf grafana-provider
      meta_launch_url: !ParseJSON '"https://grafana.lan"'
      open_in_new_tab: !If [!Env NEW_TAB]
  - model: authentik_outposts.outpost
    identifiers: {name: authentik Embedded Outpost}
    attrs:
      providers: [!Find [authentik_providers_proxy.proxyprovider, [name, grafana]]]
      config: !FindObject [authentik_outposts.outpost, [name, authentik Embedded Outpost]]
  - model: authentik_policies.policybinding
    identifiers: {order: !Index 0, target: !KeyOf grafana-provider}
`;

describe('authentik blueprints', () => {
  it('accepts every custom tag where it resolves to the type the schema expects', () => {
    expect(check(WITH_EVERY_TAG)).toEqual({
      file: 'blueprints/grafana.yaml', format: 'authentik-blueprint', check: `schema ${SCHEMA_ID}`, ok: true, problems: [],
    });
  });

  it('accepts what render/yaml.ts writes for tagged values', () => {
    const blueprint = {
      version: 1,
      metadata: { name: 'grafana' },
      entries: [
        { model: 'authentik_core.application', identifiers: { slug: 'grafana' }, attrs: { name: 'Grafana', provider: tagged('KeyOf', 'grafana-provider') } },
        { model: 'authentik_outposts.outpost', identifiers: { name: 'outpost' }, attrs: { providers: [tagged('Find', ['authentik_providers_proxy.proxyprovider', ['name', 'grafana']])] } },
      ],
    };
    expect(check(toYaml(blueprint, { modeline: '# yaml-language-server: $schema=https://goauthentik.io/blueprints/schema.json' }))).toMatchObject({ ok: true, problems: [] });
  });

  it('replaces each tag by a placeholder of the type expected at that place', () => {
    const doc = parseDocument(WITH_EVERY_TAG, { customTags: BLUEPRINT_YAML_TAGS });
    const parsed = doc.toJS() as { entries: { attrs: Record<string, unknown> }[] };
    expect(parsed.entries[1]!.attrs.provider).toEqual(new BlueprintTag('!KeyOf', 'grafana-provider'));
    const { value, tags } = substituteBlueprintTags(parsed, registry.get(SCHEMA_ID).schema);
    const entries = (value as { entries: Record<string, Record<string, unknown>>[] }).entries;
    expect(entries[0]!.attrs).toMatchObject({
      authorization_flow: '00000000-0000-4000-8000-000000000000', // format: uuid
      property_mappings: ['00000000-0000-4000-8000-000000000000'], // !Enumerate SEQ: one item of the body
    });
    expect(entries[1]!.attrs).toMatchObject({ provider: 1, name: 'Grafana', open_in_new_tab: true }); // integer pk; !If's true branch
    expect(entries[1]!.conditions).toEqual([true]);
    expect(entries[2]!.attrs!.providers).toEqual([1]);
    expect(tags).toContain('/entries/1/attrs/provider');
  });

  it('still validates the value an !If would produce', () => {
    const result = check('version: 1\nmetadata: {name: x}\nentries:\n  - model: authentik_core.application\n    identifiers: {slug: g}\n    attrs: {policy_engine_mode: !If [!Env STRICT, every, any]}\n');
    expect(result.problems).toMatchObject([{ path: '/entries/0/attrs/policy_engine_mode', code: 'SchemaViolation', message: expect.stringContaining('must be equal to one of the allowed values: "all", "any"') }]);
  });

  it('rejects a tag whose result cannot have the expected type', () => {
    const result = check('version: 1\nmetadata: {name: x}\nentries:\n  - model: authentik_core.application\n    identifiers: {slug: g}\n    attrs: {name: !Enumerate [[a], SEQ, x]}\n');
    expect(result.problems).toMatchObject([{ path: '/entries/0/attrs/name', message: 'must be string (line 6)', received: ['x'] }]);
  });

  it.each([
    ['!KeyOf with a sequence', 'provider: !KeyOf [a]', 'YamlUnknownTag', 'unresolved tag: !KeyOf'],
    ['an unknown tag', 'provider: !Lookup a', 'YamlUnknownTag', 'unresolved tag: !Lookup'],
    ['!Format without a format string', 'name: !Format []', 'YamlTagError', '!Format needs a format string first'],
    ['!If with two arguments', 'name: !If [true, a]', 'YamlTagError', '!If takes [condition] or [condition, when_true, when_false]'],
    ['!Enumerate with a bad output kind', 'name: !Enumerate [[a], LIST, x]', 'YamlTagError', '!Enumerate output must be SEQ or MAP'],
    ['!Find with a bad condition', 'provider: !Find [authentik_core.user, username]', 'YamlTagError', '!Find conditions must be [field, value] pairs'],
    ['!Index with a non-number', 'name: !Index first', 'YamlTagError', '!Index takes a depth'],
  ])('%s is a parse problem with its line', (_name, attr, code, message) => {
    const result = check(`version: 1\nmetadata: {name: x}\nentries:\n  - model: authentik_core.application\n    identifiers: {slug: g}\n    attrs:\n      ${attr}\n`);
    expect(result.ok).toBe(false);
    expect(result.check).toBe('yaml parse');
    expect(result.problems[0]).toMatchObject({ code, path: expect.stringMatching(/^line 7, column \d+$/), message: expect.stringContaining(message) });
  });

  it('names the model a misspelt one was probably meant to be', () => {
    const [problem] = check('version: 1\nmetadata: {name: x}\nentries:\n  - model: authentik_core.aplication\n    identifiers: {slug: g}\n').problems;
    expect(problem).toMatchObject({
      path: '/entries/0/model',
      received: 'authentik_core.aplication',
      fix: 'Use one of the allowed values; did you mean "authentik_core.application"?',
    });
    expect(problem!.message).toMatch(/^must be one of the allowed values: .*\(\d+ in all\) \(line 4\)$/);
  });
});
