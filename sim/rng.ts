/**
 * Seeded pseudo-random numbers (sfc32). The state is a 4-word Uint32Array so it can live inside a world
 * (and be hashed and snapshotted) rather than in a closure. Pure apart from advancing the given state.
 */

export type RngState = Uint32Array;

/** A new generator state from a 32-bit seed (splitmix32 spreads the seed over the four words). */
export function createRng(seed: number): RngState {
  const s = new Uint32Array(4);
  let z = seed >>> 0;
  for (let i = 0; i < 4; i++) {
    z = (z + 0x9e3779b9) >>> 0;
    let t = z;
    t = Math.imul(t ^ (t >>> 16), 0x21f0aaad) >>> 0;
    t = Math.imul(t ^ (t >>> 15), 0x735a2d97) >>> 0;
    s[i] = (t ^ (t >>> 15)) >>> 0;
  }
  for (let i = 0; i < 12; i++) nextU32(s);
  return s;
}

/** Next unsigned 32-bit integer. */
export function nextU32(s: RngState): number {
  const a = s[0]!, b = s[1]!, c = s[2]!, d = s[3]!;
  const t = (((a + b) >>> 0) + d) >>> 0;
  s[3] = (d + 1) >>> 0;
  s[0] = b ^ (b >>> 9);
  s[1] = (c + (c << 3)) >>> 0;
  const r = ((c << 21) | (c >>> 11)) >>> 0;
  s[2] = (r + t) >>> 0;
  return t;
}

/** Uniform float in [0, 1). */
export function nextFloat(s: RngState): number {
  return nextU32(s) / 4294967296;
}

/** Uniform integer in [0, n). */
export function nextInt(s: RngState, n: number): number {
  return Math.floor(nextFloat(s) * n);
}

/** Standard normal by Box-Muller (one value per call; the pair's twin is discarded to keep state simple). */
export function nextNormal(s: RngState): number {
  let u = nextFloat(s);
  if (u < 1e-12) u = 1e-12;
  const v = nextFloat(s);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Lognormal with the given mean and coefficient of variation (cv = sd / mean). */
export function nextLognormal(s: RngState, mean: number, cv: number): number {
  if (cv <= 0) return mean;
  const sigma2 = Math.log(1 + cv * cv);
  const mu = Math.log(mean) - sigma2 / 2;
  return Math.exp(mu + Math.sqrt(sigma2) * nextNormal(s));
}

/** Exponential with the given mean (Poisson inter-arrival times). */
export function nextExponential(s: RngState, mean: number): number {
  return -Math.log(1 - nextFloat(s)) * mean;
}

/** A derived independent generator, e.g. one per subsystem, so adding draws in one does not shift another. */
export function forkRng(s: RngState, salt: number): RngState {
  return createRng((nextU32(s) ^ Math.imul(salt + 1, 0x85ebca6b)) >>> 0);
}

/**
 * The seed of an independent stream named by `salt` for a run seeded `seed`: what a subsystem outside
 * the world (the WCS) seeds its own generator with, so that building it draws nothing from the world's. Pure.
 */
export function streamSeed(seed: number, salt: number): number {
  return (Math.imul((seed ^ 0x9e3779b9) >>> 0, 0x85ebca6b) ^ Math.imul(salt + 1, 0xc2b2ae35)) >>> 0;
}
