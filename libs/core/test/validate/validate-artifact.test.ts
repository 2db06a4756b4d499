import { describe, expect, it } from 'vitest';
import type { ValidatedFormat } from '../../src/validate/index.ts';
import { DEFAULT_MAX_PROBLEMS, FORMAT_SCHEMAS, SchemaRegistry, validateArtifact, validateArtifactChecks } from '../../src/validate/index.ts';
import { SCHEMAS_DIR, fixture, registry } from './helpers.ts';

const options = { registry };

/** Own-authored smoke fixtures: each must pass for its format. */
const VALID_SMOKE: readonly (readonly [file: string, format: ValidatedFormat, check: string])[] = [
  ['traefik-dynamic.valid.yml', 'traefik-dynamic', 'schema traefik-v3-file-provider'],
  ['compose.valid.yml', 'compose', 'schema compose-spec + compose-spec.compose-go-v2.13.0'],
  ['authentik-blueprint.valid.yml', 'authentik-blueprint', 'schema authentik-blueprint-2026.8.0-rc1'],
  ['talos-v1.13-controlplane.valid.yml', 'talos-config', 'schema talos-v1.13.9-config'],
  ['talos-v1.13-hostnameconfig.valid.yml', 'talos-config', 'schema talos-v1.13.9-config'],
  ['prometheus.valid.yml', 'prometheus-config', 'schema prometheus-config'],
  ['prometheus-rules.valid.yml', 'prometheus-rules', 'schema prometheus-rules'],
  ['prometheus-rules.test.valid.yml', 'prometheus-rules-test', 'schema prometheus-rules-test'],
  ['alertmanager.valid.yml', 'alertmanager-config', 'schema alertmanager-config'],
  ['ansible-playbook.valid.yml', 'ansible-playbook', 'yaml parse (no schema check)'],
  ['ansible-inventory.valid.yml', 'ansible-inventory', 'yaml parse (no schema check)'],
  ['nginx.valid.conf', 'nginx', 'no schema check'],
  ['wg0.valid.conf', 'wireguard', 'no schema check'],
];

/** One invalid document per schema-backed format (several for some): the pointer and message the problem must carry. */
const INVALID: readonly (readonly [name: string, format: ValidatedFormat, content: string, path: string, message: string])[] = [
  ['traefik static: entryPoints.web.adress typo', 'traefik-static',
    'entryPoints:\n  web:\n    adress: ":80"\n', '/entryPoints/web/adress', 'must NOT have additional properties: "adress"'],
  ['traefik static: string for a boolean', 'traefik-static',
    'entryPoints:\n  web:\n    address: ":80"\napi:\n  dashboard: "yes"\n', '/api/dashboard', 'must be boolean'],
  ['traefik dynamic: forwardAuth.adress typo inside a middleware union', 'traefik-dynamic',
    'http:\n  middlewares:\n    auth:\n      forwardAuth: {adress: "http://authentik:9000"}\n', '/http/middlewares/auth/forwardAuth/adress', 'must NOT have additional properties: "adress"'],
  ['traefik dynamic: servers given as a map', 'traefik-dynamic',
    'http:\n  services:\n    a:\n      loadBalancer:\n        servers: {url: "http://10.0.0.1"}\n', '/http/services/a/loadBalancer/servers', 'must be array'],
  ['compose: ports as a string', 'compose',
    'services:\n  a:\n    image: nginx\n    ports: "80"\n', '/services/a/ports', 'must be array'],
  ['compose: unknown service key', 'compose',
    'services:\n  a:\n    image: nginx\n    restart_policy: always\n', '/services/a/restart_policy', 'must NOT have additional properties: "restart_policy"'],
  ['authentik blueprint: entry without identifiers', 'authentik-blueprint',
    'version: 1\nmetadata: {name: x}\nentries:\n  - model: authentik_core.application\n    attrs: {slug: grafana}\n', '/entries/0', 'must have required property "identifiers"'],
  ['authentik blueprint: integer primary key written as a string', 'authentik-blueprint',
    'version: 1\nmetadata: {name: x}\nentries:\n  - model: authentik_core.application\n    identifiers: {slug: g}\n    attrs: {provider: "grafana"}\n', '/entries/0/attrs/provider', 'must be integer'],
  ['talos: machine.install.disk as a number', 'talos-config',
    'version: v1alpha1\nmachine:\n  type: controlplane\n  install: {disk: 5}\n', 'documents[0]/machine/install/disk', 'must be string'],
  ['talos: unknown machine type', 'talos-config',
    'version: v1alpha1\nmachine: {type: master}\n', 'documents[0]/machine/type', 'must be equal to one of the allowed values: "controlplane", "worker"'],
  ['talos: misspelt document kind', 'talos-config',
    'apiVersion: v1alpha1\nkind: HostnameConfg\nhostname: cp1\n', 'documents[0]/kind', 'must be equal to one of the allowed values: "HostnameConfig"'],
  ['prometheus config: scrape_interval as a number', 'prometheus-config',
    'global: {scrape_interval: 30}\n', '/global/scrape_interval', 'must be string or null'],
  ['prometheus config: targets as a string', 'prometheus-config',
    'scrape_configs:\n  - job_name: x\n    static_configs: [{targets: "a:9100"}]\n', '/scrape_configs/0/static_configs/0/targets', 'must be array or null'],
  ['prometheus rules: alert without expr', 'prometheus-rules',
    'groups:\n  - name: node\n    rules:\n      - alert: NodeDown\n        for: 5m\n', '/groups/0/rules/0', 'must have required property "expr"'],
  ['prometheus rules test: alertname typo', 'prometheus-rules-test',
    'tests:\n  - interval: 1m\n    input_series: [{series: up, values: "1"}]\n    alert_rule_test: [{eval_time: 5m, alertnam: X}]\n', '/tests/0/alert_rule_test/0/alertnam', 'must NOT have additional properties: "alertnam"'],
  ['alertmanager: duration that is not one', 'alertmanager-config',
    'route: {receiver: default, group_wait: soon}\nreceivers: [{name: default}]\n', '/route/group_wait', 'must match pattern'],
  ['alertmanager: webhook url as a number', 'alertmanager-config',
    'route: {receiver: default}\nreceivers:\n  - name: default\n    webhook_configs: [{url: 5}]\n', '/receivers/0/webhook_configs/0/url', 'must be string'],
];

describe('validateArtifact', () => {
  it('maps every schema-backed format, Compose to both Compose schemas', () => {
    expect(FORMAT_SCHEMAS.compose).toEqual(['compose-spec', 'compose-spec.compose-go-v2.13.0']);
    expect(Object.keys(FORMAT_SCHEMAS).sort()).toEqual([
      'alertmanager-config', 'authentik-blueprint', 'compose', 'prometheus-config', 'prometheus-rules',
      'prometheus-rules-test', 'talos-config', 'terraform-json', 'traefik-dynamic', 'traefik-static',
    ]);
  });

  it.each(VALID_SMOKE)('accepts fixtures/smoke/%s as %s', (file, format, check) => {
    expect(validateArtifact(format, fixture('smoke', file), file, options)).toEqual({ file, format, check, ok: true, problems: [] });
  });

  it.each(INVALID)('SchemaViolation: %s', (name, format, content, path, message) => {
    const result = validateArtifact(format, content, `dist/x/${format}.yml`, options);
    expect(result.ok).toBe(false);
    const problem = result.problems.find((p) => p.path === path && p.message.includes(message));
    expect(problem, `${name}: no "${message}" at ${path}; got ${result.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`).toBeDefined();
    expect(problem).toMatchObject({ source: `dist/x/${format}.yml`, code: 'SchemaViolation' });
    expect(problem!.fix.length).toBeGreaterThan(0);
  });

  it('gives the YAML line of a schema violation and the value received', () => {
    const [problem] = validateArtifact('traefik-static', 'log:\n  level: INFO\nentryPoints:\n  web:\n    adress: ":80"\n', 'traefik.yml', options).problems;
    expect(problem).toEqual({
      source: 'traefik.yml',
      path: '/entryPoints/web/adress',
      code: 'SchemaViolation',
      message: 'must NOT have additional properties: "adress" (line 5)',
      received: ':80',
      fix: 'Remove the property or check the schema for the right name.',
    });
  });

  it('suggests the closest allowed value for a misspelt discriminator', () => {
    const [problem] = validateArtifact('talos-config', 'apiVersion: v1alpha1\nkind: HostnameConfg\nhostname: cp1\n', 'talos.yaml', options).problems;
    expect(problem!.received).toBe('HostnameConfg');
    expect(problem!.fix).toBe('Use one of the allowed values; did you mean "HostnameConfig"?');
  });

  describe('Talos multi-document files', () => {
    const first = 'version: v1alpha1\nmachine: {type: controlplane}\ncluster: {clusterName: homelab}\n';
    it('validates each document separately', () => {
      const result = validateArtifact('talos-config', `${first}---\napiVersion: v1alpha1\nkind: HostnameConfig\nhostname: cp1\n`, 'talos.yaml', options);
      expect(result).toMatchObject({ ok: true, problems: [] });
    });

    it('points into the second document when only it is invalid', () => {
      const result = validateArtifact('talos-config', `${first}---\napiVersion: v1alpha1\nkind: HostnameConfig\nhostname: [cp1]\n`, 'talos.yaml', options);
      expect(result.ok).toBe(false);
      expect(result.problems).toEqual([{
        source: 'talos.yaml', path: 'documents[1]/hostname', code: 'SchemaViolation',
        message: 'must be string (line 7)', received: ['cp1'], fix: 'Write a value of type string.',
      }]);
    });

    it('skips empty documents but rejects a file with none', () => {
      expect(validateArtifact('talos-config', `---\n${first}---\n`, 'talos.yaml', options).ok).toBe(true);
      expect(validateArtifact('talos-config', '# nothing\n', 'talos.yaml', options).problems).toMatchObject([{ code: 'YamlEmpty' }]);
    });
  });

  describe('Compose against both schemas', () => {
    // `pre_start` hooks exist in compose-go v2.13.0 but not yet in the specification's schema.
    const preStart = 'services:\n  a:\n    image: nginx\n    pre_start:\n      - command: ["echo", "hi"]\n';

    it('returns one check per schema and says which one failed', () => {
      const checks = validateArtifactChecks('compose', preStart, 'compose.yaml', options);
      expect(checks.map((c) => [c.check, c.ok])).toEqual([
        ['schema compose-spec', false],
        ['schema compose-spec.compose-go-v2.13.0', true],
      ]);
      expect(checks[0]!.problems).toMatchObject([{ path: '/services/a/pre_start', message: 'must NOT have additional properties: "pre_start" (line 4)' }]);
    });

    it('merges both into one check, naming the schema when only one complains', () => {
      const merged = validateArtifact('compose', preStart, 'compose.yaml', options);
      expect(merged.check).toBe('schema compose-spec + compose-spec.compose-go-v2.13.0');
      expect(merged.ok).toBe(false);
      expect(merged.problems.map((p) => p.message)).toEqual(['must NOT have additional properties: "pre_start" (line 4) [compose-spec]']);
      const both = validateArtifact('compose', 'services:\n  a:\n    image: nginx\n    ports: "80"\n', 'compose.yaml', options);
      expect(both.problems.map((p) => p.message)).toEqual(['must be array (line 4)']);
    });

    it('reads the Compose merge tags', () => {
      const result = validateArtifact('compose', 'services:\n  a:\n    image: nginx\n    ports: !reset []\n    command: !override ["a"]\n', 'compose.yaml', options);
      expect(result).toMatchObject({ ok: true, problems: [] });
    });
  });

  describe('parsing', () => {
    it('reports YAML syntax errors with their line and stops there', () => {
      const result = validateArtifact('prometheus-rules', 'groups:\n  - name: a\n    rules: [\n', 'rules.yml', options);
      expect(result.check).toBe('yaml parse');
      expect(result.ok).toBe(false);
      expect(result.problems[0]).toMatchObject({ source: 'rules.yml', code: 'YamlParseError', path: expect.stringMatching(/^line \d+, column \d+$/) });
    });

    it('rejects several documents where the format takes one', () => {
      const [problem] = validateArtifact('prometheus-rules', 'groups: []\n---\ngroups: []\n', 'rules.yml', options).problems;
      expect(problem).toMatchObject({ code: 'YamlParseError', path: 'line 2, column 1', message: 'contains several YAML documents; this format takes one', received: '---' });
    });

    it('reports duplicate keys', () => {
      const [problem] = validateArtifact('traefik-static', 'log: {level: INFO}\nlog: {level: DEBUG}\n', 'traefik.yml', options).problems;
      expect(problem).toMatchObject({ code: 'YamlParseError', path: 'line 2, column 1', message: 'map keys must be unique', received: 'log: {level: DEBUG}' });
    });

    it('reports JSON syntax errors with line and column', () => {
      const result = validateArtifact('terraform-json', '{\n  "resource": {\n    "a": 1,\n  }\n}\n', 'cdk.tf.json', options);
      expect(result).toMatchObject({ check: 'json parse', ok: false });
      expect(result.problems).toMatchObject([{ code: 'JsonParseError', path: 'line 4, column 3', received: '}' }]);
    });

    it('checks that json and yaml files parse, and nothing more', () => {
      expect(validateArtifact('json', '{"a": [1, 2]}', 'a.json', options)).toMatchObject({ check: 'json parse', ok: true });
      expect(validateArtifact('json', '{"a": [1, 2}', 'a.json', options).problems).toMatchObject([{ code: 'JsonParseError', path: 'line 1, column 12' }]);
      expect(validateArtifact('yaml', 'a: 1\n---\nb: 2\n', 'a.yaml', options)).toMatchObject({ check: 'yaml parse', ok: true });
      expect(validateArtifact('yaml', 'a: [1\n', 'a.yaml', options).problems[0]).toMatchObject({ code: 'YamlParseError' });
    });

    it.each(['nginx', 'wireguard', 'shell', 'systemd', 'text'] as const)('does no schema check for %s', (format) => {
      expect(validateArtifact(format, 'anything {{ at all', `file.${format}`, options)).toEqual({
        file: `file.${format}`, format, check: 'no schema check', ok: true, problems: [],
      });
    });
  });

  describe('schema registry', () => {
    it('compiles a schema on first use only, and once', () => {
      const fresh = new SchemaRegistry(SCHEMAS_DIR);
      expect(fresh.isCompiled('prometheus-rules')).toBe(false);
      validateArtifact('prometheus-rules', fixture('smoke', 'prometheus-rules.valid.yml'), 'rules.yml', { registry: fresh });
      expect(fresh.isCompiled('prometheus-rules')).toBe(true);
      expect(fresh.isCompiled('authentik-blueprint-2026.8.0-rc1')).toBe(false);
      const compiled = fresh.get('prometheus-rules');
      expect(fresh.get('prometheus-rules')).toBe(compiled);
      expect(compiled.compileMs).toBeGreaterThan(0);
    });

    it('says which schema file it cannot load', () => {
      expect(() => new SchemaRegistry('/nonexistent/schemas').get('prometheus-rules')).toThrow(/Cannot load schema prometheus-rules\.schema\.json from \/nonexistent\/schemas/);
    });
  });

  it(`reports at most ${DEFAULT_MAX_PROBLEMS} problems, then a summary`, () => {
    const rules = Array.from({ length: 25 }, (_, i) => `      - alert: A${i}\n`).join('');
    const result = validateArtifact('prometheus-rules', `groups:\n  - name: a\n    rules:\n${rules}`, 'rules.yml', options);
    expect(result.problems).toHaveLength(DEFAULT_MAX_PROBLEMS + 1);
    expect(result.problems.at(-1)).toMatchObject({ code: 'MoreProblems', message: '5 more problems not shown' });
    expect(validateArtifact('prometheus-rules', `groups:\n  - name: a\n    rules:\n${rules}`, 'rules.yml', { ...options, maxProblems: 3 }).problems).toHaveLength(4);
  });

  describe('Traefik reference configuration (v3.7.9)', () => {
    // SchemaStore's schemas lag Traefik; schema-patches.ts adds the missing options by name.
    it.each([
      ['static-configuration.file.yaml', 'traefik-static'],
      ['dynamic-configuration.file.yaml', 'traefik-dynamic'],
    ] as const)('accepts Traefik\'s own %s', (file, format) => {
      const result = validateArtifact(format, fixture('traefik-v3.7.9-reference', file), file, options);
      expect(result.problems).toEqual([]);
    });

    it('still rejects misspelt options next to the patched ones', () => {
      const result = validateArtifact('traefik-dynamic', 'http:\n  routers:\n    a:\n      rule: "Host(`a`)"\n      service: a\n      observability: {acessLogs: true}\n', 'routes.yml', options);
      expect(result.problems).toMatchObject([{ path: '/http/routers/a/observability/acessLogs' }]);
    });
  });
});
