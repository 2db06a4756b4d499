/**
 * @homelab/core/model — The model layer: site and definition types, parse, normalize, load,
 * capacity, with the foundation it stands on (addresses, shell quoting, dependency waves, error
 * kinds).
 */
export * from '../exit-codes.ts';
export * from '../graph/waves.ts';
export * from '../model/capacity.ts';
export * from '../model/closest-key.ts';
export * from '../model/collector.ts';
export * from '../model/definition.ts';
export * from '../model/homelab.ts';
export * from '../model/load.ts';
export * from '../model/load-failures.ts';
export * from '../model/normalize.ts';
export * from '../model/observers.ts';
export * from '../model/os-images.ts';
export * from '../model/image-checksums.ts';
export * from '../model/token-edges.ts';
export * from '../model/provider-token.ts';
export * from '../model/parse.ts';
export * from '../model/parse-unmeasured.ts';
export * from '../model/problem.ts';
export * from '../model/schema-problems.ts';
export * from '../model/facts/index.ts';
export * from '../model/facts/fact.ts';
export * from '../model/facts/alert-rules.ts';
export * from '../model/facts/alert-webhook.ts';
export * from '../model/facts/cert-resolver.ts';
export * from '../model/facts/kill-switch.ts';
export * from '../model/facts/kubernetes.ts';
export * from '../model/facts/mqtt-broker.ts';
export * from '../model/facts/terraform-role.ts';
export * from '../model/facts/unpinned-images.ts';
export * from '../model/facts/wireguard.ts';
export * from '../model/service-schema.ts';
export * from '../model/service.ts';
export * from '../model/site-features.ts';
export * from '../model/site-guard.ts';
export * from '../model/site-schema.ts';
export * from '../model/site.ts';
export * from '../model/target-path.ts';
export * from '../model/tiers.ts';
export * from '../model/unix-name.ts';
export * from '../model/unmeasured.ts';
export * from '../model/unmeasured-inputs.ts';
export * from '../net/ipv4.ts';
export * from '../schema/definition-json-schemas.ts';
export * from '../setup-error.ts';
export * from '../shell/quote.ts';
export * from '../shell/render-script.ts';
