/**
 * Prometheus scrape configuration derived from what the services declare: one job per metrics
 * endpoint of every service, and multi-target exporter jobs (blackbox probes of every route, the
 * Proxmox VE exporter) in the relabelling pattern those exporters document. Site-agnostic.
 */
import type { RuleGroup } from '../model/facts/alert-rules.ts';
import type { NormalizedService } from '../model/service.ts';

export interface StaticConfig {
  readonly targets: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
}

export interface RelabelConfig {
  readonly source_labels?: readonly string[];
  readonly target_label?: string;
  readonly replacement?: string;
  readonly regex?: string;
  readonly action?: string;
}

export interface ScrapeJob {
  readonly job_name: string;
  readonly scheme?: 'http' | 'https';
  readonly metrics_path?: string;
  readonly params?: Readonly<Record<string, readonly string[]>>;
  readonly scrape_interval?: string;
  readonly scrape_timeout?: string;
  readonly static_configs: readonly StaticConfig[];
  readonly relabel_configs?: readonly RelabelConfig[];
}

/** The job name of one metrics endpoint: the service name, or `<service>-<endpoint>`. */
export function metricsJobName(service: NormalizedService, endpoint: { readonly name: string }): string {
  return endpoint.name === service.name ? service.name : `${service.name}-${endpoint.name}`;
}

/**
 * One scrape job per declared metrics endpoint of every service, sorted by job name. Endpoints
 * without an address (a service with no planned IP and no explicit address) cannot be scraped and
 * are left out. Throws on two endpoints with one job name: Prometheus refuses duplicate jobs.
 */
export function metricsScrapeJobs(services: readonly NormalizedService[]): ScrapeJob[] {
  const jobs = new Map<string, ScrapeJob>();
  for (const s of services) {
    for (const m of s.metrics) {
      if (m.address === '') continue;
      const job_name = metricsJobName(s, m);
      if (jobs.has(job_name)) throw new Error(`two metrics endpoints give the scrape job name "${job_name}"; rename one endpoint of ${s.name}`);
      jobs.set(job_name, {
        job_name,
        ...(m.scheme !== 'http' ? { scheme: m.scheme } : {}),
        metrics_path: m.path,
        ...(Object.keys(m.params).length ? { params: sortRecord(m.params) } : {}),
        static_configs: [{ targets: [`${m.address}:${m.port}`], labels: { service: s.name } }],
      });
    }
  }
  return [...jobs.values()].sort((a, b) => a.job_name.localeCompare(b.job_name));
}

export interface ProbeTarget {
  readonly service: string;
  readonly route: string;
  /** `https://<fqdn><probePath>` */
  readonly url: string;
}

/** Every route of every service as a URL to probe through the ingress, sorted. */
export function routeProbeTargets(services: readonly NormalizedService[]): ProbeTarget[] {
  return services.flatMap((s) => s.routes.map((r) => ({ service: s.name, route: r.name, url: `https://${r.fqdn}${r.probePath}` })))
    .sort((a, b) => a.url.localeCompare(b.url));
}

export interface MultiTargetJobOptions {
  readonly jobName: string;
  /** `host:port` of the exporter that does the work (blackbox_exporter, pve-exporter). */
  readonly exporterAddress: string;
  readonly metricsPath: string;
  readonly params?: Readonly<Record<string, readonly string[]>>;
  /** What the exporter is asked about, grouped under the labels each group carries. */
  readonly targets: readonly StaticConfig[];
  readonly scrapeInterval?: string;
  readonly scrapeTimeout?: string;
}

/**
 * The documented multi-target exporter pattern: the target becomes the `target` URL parameter and
 * the `instance` label, and the scrape goes to the exporter.
 */
export function multiTargetJob(o: MultiTargetJobOptions): ScrapeJob {
  return {
    job_name: o.jobName,
    metrics_path: o.metricsPath,
    ...(o.params ? { params: sortRecord(o.params) } : {}),
    ...(o.scrapeInterval ? { scrape_interval: o.scrapeInterval } : {}),
    ...(o.scrapeTimeout ? { scrape_timeout: o.scrapeTimeout } : {}),
    static_configs: o.targets,
    relabel_configs: [
      { source_labels: ['__address__'], target_label: '__param_target' },
      { source_labels: ['__param_target'], target_label: 'instance' },
      { target_label: '__address__', replacement: o.exporterAddress },
    ],
  };
}

/** A blackbox_exporter job probing every route of every service with one module. */
export function blackboxRouteJob(services: readonly NormalizedService[], o: { jobName: string; module: string; exporterAddress: string }): ScrapeJob {
  const byService = new Map<string, string[]>();
  for (const t of routeProbeTargets(services)) byService.set(t.service, [...(byService.get(t.service) ?? []), t.url]);
  return multiTargetJob({
    jobName: o.jobName,
    exporterAddress: o.exporterAddress,
    metricsPath: '/probe',
    params: { module: [o.module] },
    targets: [...byService.keys()].sort().map((service) => ({ targets: byService.get(service)!, labels: { service } })),
  });
}

/** The alert rule groups a service brings (`facts.alertRules`, parsed with the model: InvalidAlertRules). */
export function serviceAlertRules(service: NormalizedService): readonly RuleGroup[] {
  return service.facts.alertRules?.groups ?? [];
}

function sortRecord<T>(r: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => a.localeCompare(b)));
}
