/** A half-open time interval `[fromMs, toMs)`, milliseconds since the epoch. */
export type Interval = readonly [fromMs: number, toMs: number];

/**
 * The intervals sorted and merged: overlapping or touching intervals become one, empty or
 * non-finite ones are dropped. The input is not modified.
 */
export function mergeIntervals(intervals: readonly Interval[]): [number, number][] {
  const list = intervals
    .filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b) && b > a)
    .map(([a, b]): [number, number] => [a, b])
    .sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const out: [number, number][] = [];
  for (const [a, b] of list) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** The intervals clipped to the window `[fromMs, toMs)`, then merged. */
export function clipIntervals(
  intervals: readonly Interval[],
  fromMs: number,
  toMs: number,
): [number, number][] {
  return mergeIntervals(
    intervals.map(([a, b]): [number, number] => [Math.max(a, fromMs), Math.min(b, toMs)]),
  );
}

/** Total length in milliseconds of merged (disjoint) intervals. */
export function totalDurationMs(intervals: readonly Interval[]): number {
  let sum = 0;
  for (const [a, b] of intervals) sum += b - a;
  return sum;
}

/**
 * When a sensor was up, judged from what it sent: the sensor counts as up from each report (an
 * observation of any kind, a heartbeat included) until `heartbeatIntervalMs` after it, the time
 * by which its next report was due. The intervals `[t, t + heartbeatIntervalMs)` are merged
 * and clipped to the window `[fromMs, toMs)`; reports before the window count as far as they
 * reach into it. A sensor whose reports come exactly one interval apart is up without a gap;
 * a later report leaves a gap, the time during which the sensor was overdue (what raises a
 * sensor-outage finding). `times` should be sorted ascending (an unsorted list is sorted
 * first); non-finite entries are ignored.
 */
export function uptimeFromActivity(
  times: readonly number[],
  heartbeatIntervalMs: number,
  fromMs: number,
  toMs: number,
): [number, number][] {
  if (!(heartbeatIntervalMs > 0) || !Number.isFinite(heartbeatIntervalMs)) {
    throw new RangeError('heartbeatIntervalMs must be a positive finite number');
  }
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs < fromMs) {
    throw new RangeError('the window must be finite with fromMs <= toMs');
  }
  const finite = times.filter((t) => Number.isFinite(t));
  let sorted = true;
  for (let i = 1; i < finite.length && sorted; i++) {
    if ((finite[i] as number) < (finite[i - 1] as number)) sorted = false;
  }
  if (!sorted) finite.sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const t of finite) {
    if (t >= toMs) break;
    const a = Math.max(t, fromMs);
    const b = Math.min(t + heartbeatIntervalMs, toMs);
    if (b <= a) continue;
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}
