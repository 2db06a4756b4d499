import type { CommandOptions } from './context.ts';

/** `homelab group|patch|status ...`. Implemented with the fleet issue. */
export async function fleetCommand(command: string, _args: readonly string[], _options: CommandOptions): Promise<number> {
  console.error(`homelab ${command} is not available yet.`);
  return 3;
}
