import { describe, expect, it } from 'vitest';
import { validateArtifact } from '../../src/validate/index.ts';
import { registry } from './helpers.ts';

const check = (content: string) => validateArtifact('kubernetes', content, 'k8s/metallb.yaml', { registry });

const POOL = 'apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: services, namespace: metallb-system}\n';
const L2 = 'apiVersion: metallb.io/v1beta1\nkind: L2Advertisement\nmetadata: {name: services, namespace: metallb-system}\n';

describe('kubernetes structure', () => {
  it('accepts a MetalLB pool and its L2 advertisement', () => {
    const result = check(`${POOL}spec:\n  addresses: ["10.0.40.0/28", "10.0.40.100-10.0.40.120", "fd00::/120"]\n  autoAssign: true\n---\n${L2}spec:\n  ipAddressPools: [services]\n`);
    expect(result).toEqual({ file: 'k8s/metallb.yaml', format: 'kubernetes', check: 'kubernetes structure', ok: true, problems: [] });
  });

  it('accepts an L2Advertisement without spec (every pool)', () => {
    expect(check(L2).ok).toBe(true);
  });

  it.each([
    ['KubernetesMissingField', 'kind: ConfigMap\nmetadata: {name: a}\n', 'documents[0]/apiVersion'],
    ['KubernetesMissingField', 'apiVersion: v1\nmetadata: {name: a}\n', 'documents[0]/kind'],
    ['KubernetesMissingField', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n', 'documents[0]/metadata/name'],
    ['KubernetesInvalidName', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: My_Config}\n', 'documents[0]/metadata/name'],
    ['KubernetesNotAnObject', '- a\n- b\n', 'documents[0]'],
    ['MetallbInvalidSpec', `${POOL}spec: {addresses: []}\n`, 'documents[0]/spec/addresses'],
    ['MetallbInvalidSpec', `${POOL}spec: {addresses: ["10.0.40.0/33"]}\n`, 'documents[0]/spec/addresses/0'],
    ['MetallbInvalidSpec', `${POOL}spec: {addresses: ["10.0.40.20-10.0.40.10"]}\n`, 'documents[0]/spec/addresses/0'],
    ['MetallbInvalidSpec', `${POOL}spec: {addresses: ["10.0.40.1-fd00::1"]}\n`, 'documents[0]/spec/addresses/0'],
    ['MetallbInvalidSpec', `${POOL}spec: {addresses: ["10.0.40.0/28"], autoAssign: "no"}\n`, 'documents[0]/spec/autoAssign'],
    ['MetallbInvalidSpec', POOL, 'documents[0]/spec'],
    ['MetallbInvalidSpec', 'apiVersion: metallb.io/v1alpha1\nkind: L2Advertisement\nmetadata: {name: a}\n', 'documents[0]/apiVersion'],
    ['MetallbInvalidSpec', `${POOL}spec: {addresses: ["10.0.40.0/28"]}\n---\n${L2}spec: {ipAddressPools: services}\n`, 'documents[1]/spec/ipAddressPools'],
  ])('%s at %s', (code, content, path) => {
    const result = check(content);
    expect(result.ok).toBe(false);
    expect(result.problems).toContainEqual(expect.objectContaining({ source: 'k8s/metallb.yaml', code, path }));
  });

  it('rejects a file without any object', () => {
    expect(check('# nothing here\n').problems).toMatchObject([{ code: 'KubernetesEmpty' }]);
  });
});
