/** Prometheus rule and rule-test fixtures shared by the promtool tests. */
export const RULES = `groups:
  - name: homelab
    rules:
      - alert: NodeDown
        expr: up{job="node"} == 0
        for: 5m
        labels: {severity: critical}
        annotations: {summary: "{{ $labels.instance }} down"}
`;
// The test names its rule file relative to itself, as the generated ones do.
export const TEST = `rule_files: [../rules/homelab.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'up{job="node", instance="a"}'
        values: '0x10'
    alert_rule_test:
      - eval_time: 6m
        alertname: NodeDown
        exp_alerts:
          - exp_labels: {severity: critical, job: node, instance: a}
            exp_annotations: {summary: "a down"}
`;
