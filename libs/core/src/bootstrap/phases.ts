/** The bootstrap phases, in the order they run. */
import { adminTokenPhase } from './admin-token.ts';
import { bridgesPhase } from './bridges.ts';
import { cephPackagesPhase } from './ceph-packages.ts';
import { clusterPhase } from './cluster.ts';
import { accessPhase, applianceConsumersPhase, servicesPhase } from './deploy-phases.ts';
import { homeAssistantFirstRunPhase } from './home-assistant-first-run.ts';
import { truenasFirstRunPhase } from './truenas-first-run.ts';
import type { BootstrapPhase } from './phase.ts';
import { preconditionsPhase } from './preconditions.ts';
import { readinessPhase } from './readiness.ts';

export const BOOTSTRAP_PHASES: readonly BootstrapPhase[] = [
  preconditionsPhase, clusterPhase, bridgesPhase, cephPackagesPhase, adminTokenPhase, accessPhase, servicesPhase,
  truenasFirstRunPhase, homeAssistantFirstRunPhase, applianceConsumersPhase, readinessPhase,
];
