import { describe, expect, it } from 'vitest';
import { publishedPorts } from '../../src/policy/route-ports.ts';
import { composeFile, toYaml } from '../../src/index.ts';
import { appWith, expectNone, only, withDefs } from './helpers.ts';

const ports = [{ port: 3000, protocol: 'tcp', description: 'web' }];
const compose = (servicePorts: unknown[], extra: Record<string, unknown> = {}) => () => [{
  path: '/opt/stacks/app/compose.yml', mode: '0644', format: 'compose',
  content: toYaml(composeFile({ name: 'app', services: { web: { image: 'docker.io/library/nginx:1.27.0', ports: servicePorts as string[], ...extra } } })),
}];

describe('route-ports', () => {
  it('passes a route to a declared port', () => {
    expectNone(withDefs(appWith({ ports })), 'RoutePortNotExposed');
  });
  it('RoutePortNotExposed: the route targets a port the service does not declare', () => {
    const problems = only(withDefs(appWith({ ports, routes: [{ host: 'app', port: 3001, auth: 'authentik' }] })), 'RoutePortNotExposed');
    expect(problems).toEqual([expect.objectContaining({ source: 'packages/app', path: 'routes[0].port', received: 3001 })]);
    expect(problems[0]!.message).toContain('declares 3000');
  });
  it('a UDP port does not serve a route', () => {
    const udp = [{ port: 3000, protocol: 'udp', description: 'web' }, { port: 22, protocol: 'tcp', description: 'ssh' }];
    expect(only(withDefs(appWith({ ports: udp })), 'RoutePortNotExposed')).toHaveLength(1);
  });
  it('a route to another backend (api@internal) is not checked against the ports', () => {
    expectNone(withDefs(appWith({ ports, routes: [{ host: 'app', port: 8080, backend: 'api@internal', auth: 'authentik' }] })), 'RoutePortNotExposed');
  });
  it('passes a Compose stack that publishes the port, or runs on the host network', () => {
    expectNone(withDefs(appWith({ ports, files: compose(['3000:80']) })), 'RoutePortNotPublished');
    expectNone(withDefs(appWith({ ports, files: compose([], { network_mode: 'host' }) })), 'RoutePortNotPublished');
  });
  it('RoutePortNotPublished: the stack publishes another port, or only a container port', () => {
    for (const published of [['8080:3000'], ['3000']]) {
      const problems = only(withDefs(appWith({ ports, files: compose(published) })), 'RoutePortNotPublished');
      expect(problems, String(published)).toEqual([expect.objectContaining({ path: 'files[/opt/stacks/app/compose.yml].services', received: 3000 })]);
    }
  });
  it('reads every Compose ports syntax', () => {
    expect(publishedPorts('127.0.0.1:8080:80/tcp')).toEqual([8080]);
    expect(publishedPorts('53:53/udp')).toEqual([]);
    expect(publishedPorts('8000-8002:8000-8002')).toEqual([8000, 8001, 8002]);
    expect(publishedPorts({ target: 80, published: 8081 })).toEqual([8081]);
    expect(publishedPorts({ target: 80, published: '8081', protocol: 'udp' })).toEqual([]);
    expect(publishedPorts('80')).toEqual([]);
  });
});
