/** A seeded pseudo-random generator: every draw depends only on the seed and the draws before. */
export interface Rng {
  /** A uniform number in [0, 1). */
  next(): number;
  /** A uniform number in [min, max). */
  uniform(min: number, max: number): number;
  /** A uniform integer in [0, n). */
  int(n: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** A standard normal deviate (mean 0, standard deviation 1). */
  normal(): number;
  /** An exponential deviate with the given mean. */
  exponential(mean: number): number;
  /** A uniformly chosen element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /**
   * An independent generator for a named purpose: the same seed and label always give the same
   * stream, and draws on one stream never shift another (adding a sensor changes nothing else).
   */
  fork(label: string): Rng;
}

/** mulberry32 (Tommy Ettinger, public domain): a 32-bit state generator, fast and well mixed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 32-bit FNV-1a hash of a string, mixed with a seed (for deriving fork seeds). */
function hash32(seed: number, text: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  return h >>> 0;
}

/** Creates a seeded generator (mulberry32); the seed is taken modulo 2^32. */
export function createRng(seed: number): Rng {
  const base = Math.trunc(seed) >>> 0;
  const next = mulberry32(base);
  let spare: number | undefined;
  const rng: Rng = {
    next,
    uniform: (min, max) => min + (max - min) * next(),
    int: (n) => Math.floor(next() * n),
    chance: (p) => next() < p,
    normal() {
      if (spare !== undefined) {
        const s = spare;
        spare = undefined;
        return s;
      }
      // Marsaglia's polar method.
      for (;;) {
        const u = 2 * next() - 1;
        const v = 2 * next() - 1;
        const s = u * u + v * v;
        if (s > 0 && s < 1) {
          const f = Math.sqrt((-2 * Math.log(s)) / s);
          spare = v * f;
          return u * f;
        }
      }
    },
    exponential: (mean) => -mean * Math.log(1 - next()),
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
    fork: (label) => createRng(hash32(base, label)),
  };
  return rng;
}
