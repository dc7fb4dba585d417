// The planner that picks a way of running a kernel by timing it: with a clock and timings given by the test, the
// choice follows the fastest best time, resists noise (an outlier, a near-tie), and follows a change of load.
import { describe, expect, it } from 'vitest';
import { Planner } from '../src/core/planner.js';

/** Runs calls of `key` until its round ends, timing each candidate with time(candidate, call number). */
function round(p: Planner<string>, key: string, time: (candidate: number, call: number) => number): number[] {
  const seen: number[] = [];
  for (let call = 0; ; call++) {
    const { candidate, trial } = p.next(key);
    if (!trial) return seen;
    seen.push(candidate);
    p.record(key, candidate, time(candidate, call));
  }
}

describe('Planner', () => {
  it('tries each candidate in turn, three times each, and keeps the fastest', () => {
    const p = new Planner<string>({ now: () => 0 });
    p.add('shape', [1, -2, 2]);
    const order = round(p, 'shape', (c) => ({ 1: 10, [-2]: 6, 2: 8 })[c]!);
    expect(order).toEqual([1, -2, 2, 1, -2, 2, 1, -2, 2]);
    expect(p.plan('shape')).toMatchObject({ chosen: -2, measured: true, times: [10, 6, 8], rounds: 1 });
    // Between rounds the choice is used, untimed.
    expect(p.next('shape')).toEqual({ candidate: -2, trial: false });
  });

  it('takes the best of each candidate\'s trials, so one slow call (another job took the core) does not decide', () => {
    const p = new Planner<string>({ now: () => 0 });
    p.add('k', [1, 2]);
    // Candidate 2 is faster (5 against 8) but its first trial met a burst of load.
    round(p, 'k', (c, call) => (c === 2 ? (call === 1 ? 40 : 5) : 8));
    expect(p.plan('k')!.chosen).toBe(2);
  });

  it('a near-tie goes to the cheaper candidate: more threads must beat fewer by the margin', () => {
    const p = new Planner<string>({ now: () => 0, margin: 0.05 });
    p.add('tie', [1, 2]);
    round(p, 'tie', (c) => (c === 1 ? 10 : 9.7));
    expect(p.plan('tie')!.chosen).toBe(1);
    p.add('clear', [1, 2]);
    round(p, 'clear', (c) => (c === 1 ? 10 : 9));
    expect(p.plan('clear')!.chosen).toBe(2);
  });

  it('checks again once recheckMs have passed, and moves only when another way beats the one in use by the margin', () => {
    let now = 0;
    const p = new Planner<string>({ now: () => now, recheckMs: 1000 });
    p.add('w1', [1, 2]);
    round(p, 'w1', (c) => (c === 1 ? 10 : 6)); // quiet: two threads win
    expect(p.plan('w1')!.chosen).toBe(2);
    // Calls before the interval stay untimed.
    for (let i = 0; i < 100; i++) expect(p.next('w1').trial).toBe(false);
    now = 2000; // later, another job takes the second core: two threads lose
    let calls = 0;
    while (!p.next('w1').trial) calls++;
    expect(calls).toBeLessThan(64); // the clock is looked at every few calls, not every call
    p.record('w1', 1, 10);
    round(p, 'w1', (c) => (c === 1 ? 10 : 15));
    expect(p.plan('w1')).toMatchObject({ chosen: 1, rounds: 2 });
    // Quiet again, but two threads only 3% ahead: not enough to move back.
    now = 4000;
    while (!p.next('w1').trial);
    p.record('w1', 1, 10);
    round(p, 'w1', (c) => (c === 1 ? 10 : 9.7));
    expect(p.plan('w1')).toMatchObject({ chosen: 1, rounds: 3 });
    // The choice held, so the next check waits twice as long: none at 1.5 s, one by 2.5 s.
    now = 5500;
    for (let i = 0; i < 100; i++) expect(p.next('w1').trial).toBe(false);
    now = 6500;
    let asked = 0;
    while (!p.next('w1').trial) asked++;
    expect(asked).toBeLessThan(64);
  });

  it('a candidate ten times slower than the best has no more trials in the round (threads waiting for a busy core)', () => {
    const p = new Planner<string>({ now: () => 0 });
    p.add('busy', [1, -2]);
    const order = round(p, 'busy', (c) => (c === 1 ? 1 : 40));
    expect(order).toEqual([1, -2, 1, 1]);
    expect(p.plan('busy')).toMatchObject({ chosen: 1, times: [1, 40] });
  });

  it('in blocks: each candidate\'s trials one after another, and the best so far in the round is known', () => {
    const p = new Planner<string>({ now: () => 0, blocks: true });
    p.add('step', [1, -2]);
    expect(p.bestInRound('step')).toBe(Infinity);
    const order: number[] = [];
    for (;;) {
      const { candidate, trial } = p.next('step');
      if (!trial) break;
      order.push(candidate);
      p.record('step', candidate, candidate === 1 ? 0.7 : 0.5);
      if (order.length === 3) expect(p.bestInRound('step')).toBe(0.7);
    }
    expect(order).toEqual([1, 1, 1, -2, -2, -2]);
    expect(p.plan('step')).toMatchObject({ chosen: -2, times: [0.7, 0.5] });
    expect(p.bestInRound('step')).toBe(Infinity); // between rounds
  });

  it('by median: a way fast in one trial of three but slow in the others (threads sharing busy cores) does not win', () => {
    const times = (c: number, call: number): number => (c === 1 ? 0.7 : [0.5, 1.2, 1.1][call % 3]);
    const byBest = new Planner<string>({ now: () => 0, blocks: true });
    byBest.add('k', [1, -2]);
    round(byBest, 'k', (c, call) => times(c, call));
    expect(byBest.plan('k')!.chosen).toBe(-2);
    const byMedian = new Planner<string>({ now: () => 0, blocks: true, estimate: 'median' });
    byMedian.add('k', [1, -2]);
    round(byMedian, 'k', (c, call) => times(c, call));
    expect(byMedian.plan('k')).toMatchObject({ chosen: 1, times: [0.7, 1.1] });
  });

  it('keeps at most `keep` keys, forgetting the oldest: batches of ever new sizes do not grow it', () => {
    const p = new Planner<number>({ now: () => 0, keep: 3 });
    expect([1, 2, 3].map((k) => p.add(k, [1, 2]))).toEqual([undefined, undefined, undefined]);
    expect(p.add(4, [1, 2])).toBe(1);
    expect([...p.plans()].map(([k]) => k)).toEqual([2, 3, 4]);
    expect(p.has(1)).toBe(false);
  });

  it('recheckIn calls the next round early, once; the round after waits recheckMs, and a running round is left alone', () => {
    let now = 0;
    const p = new Planner<string>({ now: () => now, recheckMs: 1000, clockEvery: 1 });
    p.add('k', [1, -2]);
    const first = round(p, 'k', (c) => (c === 1 ? 10 : 30)); // a busy moment fell on the team's trials
    expect(first).toHaveLength(6);
    expect(p.plan('k')).toMatchObject({ chosen: 1, rounds: 1 });
    p.recheckIn('k', 100);
    now = 99;
    expect(p.next('k').trial).toBe(false);
    now = 100;
    expect(p.next('k').trial).toBe(true);
    p.recheckIn('k', 1); // during a round: nothing
    p.record('k', 1, 10);
    round(p, 'k', (c) => (c === 1 ? 10 : 30)); // still busy: the choice holds
    expect(p.plan('k')).toMatchObject({ chosen: 1, rounds: 2 });
    // The wait is recheckMs from the early round (not doubled from 100 ms, nor 2 s as after a held usual round).
    now = 1099;
    expect(p.next('k').trial).toBe(false);
    now = 1100;
    expect(p.next('k').trial).toBe(true);
  });

  it('a single candidate is used at once, never timed', () => {
    const p = new Planner<string>({ now: () => 0 });
    p.add('only', [1]);
    expect(p.next('only')).toEqual({ candidate: 1, trial: false });
    expect(p.plan('only')).toMatchObject({ chosen: 1, measured: true, rounds: 0 });
  });
});
