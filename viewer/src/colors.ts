/**
 * The viewer's palette: robot state colours, stack height shading and cell kind colours. Pure data and
 * small pure helpers; the legend, the grid layer and the robot layer all read from here so they agree.
 */
import { ROBOT_STATES, type RobotState } from '../../wcs/protocol.ts';

/** Robot state → colour (0xRRGGBB), used as the sprite tint. */
export const STATE_COLORS: Record<RobotState, number> = {
  idle: 0xd4dbe3,
  toBin: 0x4fa3ff,
  digging: 0xf2a33a,
  carrying: 0x3fd07a,
  queueing: 0xc48cff,
  returning: 0x2fd5c8,
  charging: 0xffe14d,
  parking: 0xff7b72,
};

/** Tint by state index (ROBOT_STATES order); an unknown index draws as idle. */
export const STATE_TINTS: readonly number[] = ROBOT_STATES.map((s) => STATE_COLORS[s]);

/** Cell kind codes as in protocol CELL_KINDS. */
export const KIND_STORAGE = 0, KIND_PORT = 1, KIND_BUFFER = 2, KIND_CHARGER = 3, KIND_BLOCKED = 4, KIND_STREET = 5;

/** Flat colours of the cell kinds that hold no stacks. Storage cells are shaded by height instead. */
export const KIND_COLORS: Record<number, number> = {
  [KIND_PORT]: 0xe07a2f,
  [KIND_BUFFER]: 0x6b4322,
  [KIND_CHARGER]: 0x2e5e3a,
  [KIND_BLOCKED]: 0x050608,
  [KIND_STREET]: 0x252019,
};

/** The empty-storage → full-stack ramp: three stops, interpolated in RGB. */
// Kept darker than every robot colour, so robots stand out on full stacks too (Thalia is ~95 % full).
const RAMP: readonly number[] = [0x10151c, 0x25334a, 0x4d6584];

/** Colour of a stack of `h` bins out of `max`. Pure. */
export function heightColor(h: number, max: number): number {
  const t = max > 0 ? Math.min(1, Math.max(0, h / max)) : 0;
  const seg = t < 0.5 ? 0 : 1;
  const u = seg === 0 ? t * 2 : (t - 0.5) * 2;
  return mix(RAMP[seg]!, RAMP[seg + 1]!, u);
}

/** Linear RGB mix of two 0xRRGGBB colours. Pure. */
export function mix(a: number, b: number, u: number): number {
  const r = ((a >> 16) & 255) + (((b >> 16) & 255) - ((a >> 16) & 255)) * u;
  const g = ((a >> 8) & 255) + (((b >> 8) & 255) - ((a >> 8) & 255)) * u;
  const bl = (a & 255) + ((b & 255) - (a & 255)) * u;
  return (Math.round(r) << 16) | (Math.round(g) << 8) | Math.round(bl);
}

/** 0xRRGGBB → '#rrggbb'. Pure. */
export function css(c: number): string {
  return '#' + c.toString(16).padStart(6, '0');
}

/** 0xRRGGBB → a little-endian RGBA pixel for a Uint32Array view of ImageData. Pure. */
export function pixel(c: number): number {
  return ((255 << 24) | ((c & 255) << 16) | (c & 0xff00) | ((c >> 16) & 255)) >>> 0;
}

/** Colours of the fleet time categories in the KPI panel (unknown names get a grey). */
export const ROBOT_TIME_COLORS: Record<string, number> = {
  movingEmpty: 0x4fa3ff,
  movingLoaded: 0x3fd07a,
  digging: 0xf2a33a,
  portHandling: 0xe07a2f,
  portQueueing: 0xc48cff,
  trafficWaiting: 0xff7b72,
  idle: 0x6e7681,
};
