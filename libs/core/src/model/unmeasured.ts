/**
 * A hardware fact nobody has measured yet (a disk's stable path, a USB id, a device node): the
 * site says so explicitly instead of holding a plausible invention. The value says what the fact
 * is and how to measure it. Synthesis never emits one: the part that needs it is left out and the
 * service's manifest lists it; the plan shows it; deploy refuses the service until it is filled
 * in (`npx homelab discover` reads the values from the cluster).
 */
export interface Unmeasured {
  /** What the fact is and how to measure it, e.g. "stable path of the 500 GB OSD SSD: lsblk -o NAME,SIZE,SERIAL on pve2". */
  readonly unmeasured: string;
}

/** A hardware fact: the measured value, or an explicit "not yet measured". */
export type Measurable<T extends string = string> = T | Unmeasured;

/** The explicit "not yet measured" input of a site: `device: unmeasured('what it is; how to measure it')`. */
export function unmeasured(how: string): Unmeasured {
  return Object.freeze({ unmeasured: how });
}

export function isUnmeasured(value: unknown): value is Unmeasured {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { unmeasured?: unknown }).unmeasured === 'string';
}

/** The measured value, or undefined for an unmeasured (or absent) one: what synthesis may emit. */
export function measuredValue<T extends string>(value: Measurable<T> | undefined): T | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The command that fills unmeasured inputs in, named by every message about one. */
export const DISCOVER_COMMAND = 'npx homelab discover';

/**
 * The device node an LXC is given for a site device: its `path`, else its `id` (a `dev` device's
 * id is its node). Undefined while the field it comes from is unmeasured: nothing is passed.
 */
export function deviceNodeOf(device: { readonly id: Measurable; readonly path?: Measurable | undefined }): string | undefined {
  return device.path !== undefined ? measuredValue(device.path) : measuredValue(device.id);
}
