// Tree sizes and indexes are numbers, and bitwise operators work on 32 bits only: the helpers
// below split a safe integer (< 2^53) into two 32-bit halves instead.
const TWO_32 = 2 ** 32;

function popCount32(x: number): number {
  let v = x >>> 0;
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

function trailingZeros32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** Whether `x` is an integer in 0..2^53-1, the range in which numbers are exact. */
export function isSafeCount(x: number): boolean {
  return Number.isSafeInteger(x) && x >= 0;
}

/** The number of 1 bits of a safe non-negative integer. */
export function popCount(x: number): number {
  return popCount32(x % TWO_32) + popCount32(Math.floor(x / TWO_32));
}

/** The number of trailing 0 bits of a positive safe integer. */
export function trailingZeros(x: number): number {
  const lo = x % TWO_32;
  return lo !== 0 ? trailingZeros32(lo) : 32 + trailingZeros32(Math.floor(x / TWO_32));
}

/** The number of trailing 1 bits of a safe non-negative integer. */
export function trailingOnes(x: number): number {
  return trailingZeros(x + 1);
}

/** The number of bits needed to write `x` (0 for 0), like Go's bits.Len64. */
export function bitLength(x: number): number {
  const hi = Math.floor(x / TWO_32);
  if (hi > 0) return 64 - Math.clz32(hi);
  return 32 - Math.clz32(x >>> 0);
}

/** `x >> k` for a safe non-negative integer. */
export function shr(x: number, k: number): number {
  return Math.floor(x / 2 ** k);
}

/** The largest power of two strictly less than `n` (n ≥ 2): RFC 9162 §2.1.1's `k`. */
export function largestPowerOfTwoBelow(n: number): number {
  return 2 ** (bitLength(n - 1) - 1);
}

/** The smallest power of two greater than or equal to `n` (1 for 0 and 1). */
export function bitCeil(n: number): number {
  return n <= 1 ? 1 : 2 ** bitLength(n - 1);
}
