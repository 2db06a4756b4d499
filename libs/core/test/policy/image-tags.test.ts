import { describe, expect, it } from 'vitest';
import { composeFile, toYaml } from '../../src/index.ts';
import { isPinned } from '../../src/policy/image-tags.ts';
import { appWith, expectNone, only, withDefs } from './helpers.ts';

const stack = (image: string, unpinnedImages?: Record<string, string>) => appWith({
  ...(unpinnedImages ? { facts: { unpinnedImages } } : {}),
  files: () => [{ path: '/opt/stacks/app/compose.yml', mode: '0644', format: 'compose', content: toYaml(composeFile({ name: 'app', services: { web: { image } } })) }],
});
const manifest = (image: string) => appWith({ files: () => [{ path: '/etc/app/deploy.yaml', mode: '0644', format: 'kubernetes', content: `kind: ConfigMap\n---\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: ${image}\n` }] });

describe('image-tags', () => {
  it('tells pinned from unpinned images', () => {
    for (const i of ['nginx:1.27.0', 'registry.local:5000/team/app:2.1', `app@sha256:${'a'.repeat(64)}`, 'ghcr.io/x/y:${TAG}']) expect(isPinned(i), i).toBe(true);
    for (const i of ['nginx', 'nginx:latest', 'registry.local:5000/team/app', 'ghcr.io/x/y:latest']) expect(isPinned(i), i).toBe(false);
  });
  it('passes a tagged image', () => {
    expectNone(withDefs(stack('docker.io/library/nginx:1.27.0')), 'UnpinnedImage');
  });
  it('UnpinnedImage: no tag, or latest, in Compose and in Kubernetes manifests', () => {
    expect(only(withDefs(stack('docker.io/library/nginx')), 'UnpinnedImage')).toEqual([expect.objectContaining({ source: 'packages/app', path: 'files[/opt/stacks/app/compose.yml].services.web.image', received: 'docker.io/library/nginx' })]);
    expect(only(withDefs(manifest('nginx:latest')), 'UnpinnedImage').map((p) => p.path)).toEqual(['files[/etc/app/deploy.yaml].spec.template.spec.containers.0.image']);
  });
  it('a declared exception with its reason passes', () => {
    expectNone(withDefs(stack('nginx:latest', { 'nginx:latest': 'upstream publishes only latest' })), 'UnpinnedImage', 'UnpinnedImageWithoutReason', 'UnusedImageException');
  });
  it('UnpinnedImageWithoutReason and UnusedImageException', () => {
    expect(only(withDefs(stack('nginx:latest', { 'nginx:latest': '' })), 'UnpinnedImageWithoutReason', 'UnpinnedImage').map((p) => p.code).sort()).toEqual(['UnpinnedImage', 'UnpinnedImageWithoutReason']);
    expect(only(withDefs(stack('nginx:1.27.0', { 'nginx:latest': 'upstream publishes only latest' })), 'UnusedImageException').map((p) => p.path)).toEqual(['facts.unpinnedImages["nginx:latest"]']);
  });
});
