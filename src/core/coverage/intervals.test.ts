import { describe, expect, it } from 'vitest';
import { clipIntervals, mergeIntervals, totalDurationMs, uptimeFromActivity } from './index.js';

describe('mergeIntervals', () => {
  it('sorts, joins overlapping and touching intervals, drops empty ones', () => {
    expect(
      mergeIntervals([
        [50, 60],
        [0, 10],
        [10, 20],
        [15, 30],
        [40, 40],
        [45, 44],
        [Number.NaN, 3],
      ]),
    ).toEqual([
      [0, 30],
      [50, 60],
    ]);
  });

  it('clips to a window and totals the duration', () => {
    const clipped = clipIntervals(
      [
        [-5, 5],
        [8, 12],
        [90, 200],
      ],
      0,
      100,
    );
    expect(clipped).toEqual([
      [0, 5],
      [8, 12],
      [90, 100],
    ]);
    expect(totalDurationMs(clipped)).toBe(19);
  });
});

describe('uptimeFromActivity', () => {
  it('is one interval for reports exactly one heartbeat apart', () => {
    expect(uptimeFromActivity([0, 10, 20, 30], 10, 0, 100)).toEqual([[0, 40]]);
  });

  it('leaves a gap where a report came late, and merges overlapping reach', () => {
    expect(uptimeFromActivity([0, 3, 7, 25, 26], 10, 0, 100)).toEqual([
      [0, 17],
      [25, 36],
    ]);
  });

  it('clips to the window: earlier reports reach into it, later ones are ignored', () => {
    expect(uptimeFromActivity([-15, -5, 50, 95, 120], 10, 0, 100)).toEqual([
      [0, 5],
      [50, 60],
      [95, 100],
    ]);
  });

  it('sorts unsorted times and ignores non-finite ones', () => {
    expect(uptimeFromActivity([30, Number.NaN, 0, 10], 10, 0, 100)).toEqual([
      [0, 20],
      [30, 40],
    ]);
  });

  it('is empty for a silent sensor and rejects a bad heartbeat or window', () => {
    expect(uptimeFromActivity([], 10, 0, 100)).toEqual([]);
    expect(() => uptimeFromActivity([0], 0, 0, 100)).toThrow(RangeError);
    expect(() => uptimeFromActivity([0], 10, 100, 0)).toThrow(RangeError);
  });
});
