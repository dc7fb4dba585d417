// Choices between ways of running a kernel (how many threads a product of some shape gets, and whose) made by timing
// the candidates where the code runs, as FFTW's planner and cuDNN's benchmark mode do: the right choice differs from
// machine to machine, and on a shared machine from a quiet hour to a busy one.

/** What the planner knows of one kind of call (one product shape, say). */
export interface Plan {
  /** The ways this key may run, cheapest first. */
  readonly candidates: readonly number[];
  /** The candidate in use: the last round's choice, or, before any round has ended, the first candidate. */
  readonly chosen: number;
  /** Whether a round of timing made the choice (false while the first round runs; true at once for a single candidate). */
  readonly measured: boolean;
  /** The fastest time of each candidate in the last round that ended, in milliseconds, in the order of the candidates. */
  readonly times: readonly number[];
  /** Rounds of timing so far (the first, and any re-checks). */
  readonly rounds: number;
}

export interface PlannerOptions {
  /** Timed calls of each candidate in a round, taken in turn (1, 2, 1, 2, …) so that a change of load hits all alike. Default 3. */
  readonly trials?: number;
  /**
   * A later candidate is taken only if its best time beats every earlier one's by this fraction (default 0.05), and a
   * re-check moves away from the candidate in use only if another beats it by as much: noise does not flip choices.
   */
  readonly margin?: number;
  /**
   * Milliseconds after a round ends before the next calls run a round again, so a long run follows a change of load.
   * Default 5000; each round that keeps the choice doubles the wait (up to 16 times this), each that changes it resets it.
   */
  readonly recheckMs?: number;
  /** The clock, in milliseconds. Default performance.now. */
  readonly now?: () => number;
  /** Keys kept at most: adding one more forgets the oldest (batches of ever new sizes must not grow memory). Default 1024. */
  readonly keep?: number;
  /**
   * Each candidate's trials one after another (1, 1, 1, 2, 2, 2) rather than in turn: for ways whose first calls after
   * a change cost more than the rest (threads to wake and to be placed on a core), so that a round changes way once
   * per candidate. Default false.
   */
  readonly blocks?: boolean;
  /** Calls between two looks at the clock outside a round (default CLOCK_EVERY); 1 for calls of milliseconds. */
  readonly clockEvery?: number;
  /**
   * What a candidate's trials in a round count as: their fastest ('best', the default: a burst of another job's slows
   * one call, not the way), or their median ('median': for ways whose own cost varies from call to call, threads that
   * must share cores with other jobs, where the fastest of a few trials promises more than a run of calls gets).
   */
  readonly estimate?: 'best' | 'median';
}

interface Entry {
  readonly candidates: readonly number[];
  /** The round's order: each candidate's index in turn, `trials` times. */
  readonly schedule: readonly number[];
  chosen: number;
  measured: boolean;
  /** Position in the current round's schedule, or -1 between rounds. */
  step: number;
  /** Each candidate's trials in the current round slower than CUT times the best; at 2 (or one beyond FAR) it is out of the round. */
  slow: number[];
  /** The best time of each candidate in the current round (then the last one). */
  best: Float64Array;
  /** Each candidate's trial times in the current round (kept for the median estimate). */
  trialsOf: number[][];
  times: number[];
  rounds: number;
  decidedAt: number;
  /** Milliseconds from decidedAt to the next round. */
  wait: number;
  /** Whether wait was shortened by recheckIn: the round after it waits as after a first round. */
  soon: boolean;
  /** Calls since the clock was last looked at between rounds. */
  calls: number;
}

/** Calls between two looks at the clock outside a round: reading it costs more than a small product's bookkeeping should. */
const CLOCK_EVERY = 32;

/**
 * A candidate with two trials slower than CUT times the best time so far, or one slower than FAR times, has no more
 * trials in the round: it cannot win, and on a loaded machine such a trial (threads waiting for a core) can cost a
 * hundred times the call. One trial merely CUT times slower may be a burst of another job's, and does not count alone.
 */
const CUT = 3, FAR = 10;

/**
 * Times calls as they happen: the first calls of each key try every candidate in turn (`trials` times each), the
 * fastest best time wins (within the margin the cheaper one does), and after `recheckMs` the next calls try them all
 * again (less often while the choice holds). Trials are real calls, so a plan costs nothing beyond the slower candidates' extra time during its rounds;
 * candidates must therefore give the same results.
 */
export class Planner<K = string> {
  private readonly trials: number;
  private readonly margin: number;
  private readonly recheckMs: number;
  private readonly now: () => number;
  private readonly entries = new Map<K, Entry>();
  private readonly keep: number;
  private readonly blocks: boolean;
  private readonly clockEvery: number;
  private readonly median: boolean;

  constructor(options: PlannerOptions = {}) {
    this.blocks = options.blocks ?? false;
    this.clockEvery = Math.max(1, options.clockEvery ?? CLOCK_EVERY);
    this.median = options.estimate === 'median';
    this.keep = Math.max(1, options.keep ?? 1024);
    this.trials = Math.max(1, options.trials ?? 3);
    this.margin = options.margin ?? 0.05;
    this.recheckMs = options.recheckMs ?? 5000;
    this.now = options.now ?? (() => performance.now());
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  /**
   * Starts planning `key` among `candidates`, cheapest first; with one candidate there is nothing to time. `seen`, the
   * milliseconds of one run of each candidate made before (a first run, so not counted as a trial), takes the ones
   * FAR times slower than the fastest out of the first round; `trials` (default: the planner's) sets this key's trials
   * per candidate in a round. Answers the key forgotten to make room, if one was.
   */
  add(key: K, candidates: readonly number[], seen?: readonly number[], trials = this.trials): K | undefined {
    if (candidates.length === 0) throw new Error('planner: no candidates');
    // The oldest key goes where the planner is full; the caller forgets what it kept beside it.
    let forgotten: K | undefined;
    if (!this.entries.has(key) && this.entries.size >= this.keep) {
      forgotten = this.entries.keys().next().value as K;
      this.entries.delete(forgotten);
    }
    const schedule: number[] = [];
    if (this.blocks) for (let c = 0; c < candidates.length; c++) for (let t = 0; t < trials; t++) schedule.push(c);
    else for (let t = 0; t < trials; t++) for (let c = 0; c < candidates.length; c++) schedule.push(c);
    const single = candidates.length === 1;
    const fastest = seen ? Math.min(...seen) : Infinity;
    const slow = candidates.map((_, c) => (seen && seen[c] > FAR * fastest ? 2 : 0));
    let step = single ? -1 : 0;
    while (step >= 0 && slow[schedule[step]] >= 2) step++;
    this.entries.set(key, {
      candidates: [...candidates], schedule, chosen: candidates[0], measured: single, step, slow,
      best: new Float64Array(candidates.length).fill(Infinity), trialsOf: candidates.map(() => []), times: [], rounds: 0, decidedAt: 0, wait: this.recheckMs, soon: false, calls: 0,
    });
    return forgotten;
  }

  /**
   * The candidate for this call of `key` (added before), and whether the call is a trial: time it and pass the
   * milliseconds to `record`.
   */
  next(key: K): { candidate: number; trial: boolean } {
    const e = this.entries.get(key)!;
    if (e.step < 0 && e.candidates.length > 1 && ++e.calls >= this.clockEvery) {
      e.calls = 0;
      if (this.now() - e.decidedAt >= e.wait) {
        e.step = 0;
        e.best.fill(Infinity);
        for (const t of e.trialsOf) t.length = 0;
        e.slow.fill(0);
      }
    }
    if (e.step < 0) return { candidate: e.chosen, trial: false };
    return { candidate: e.candidates[e.schedule[e.step]], trial: true };
  }

  /** The time of a trial that `next` asked for. */
  record(key: K, candidate: number, ms: number): void {
    const e = this.entries.get(key);
    if (!e || e.step < 0) return;
    const c = e.schedule[e.step];
    if (e.candidates[c] !== candidate) return;
    if (ms < e.best[c]) e.best[c] = ms;
    e.trialsOf[c].push(ms);
    const best = Math.min(...e.best);
    if (ms === Infinity || ms > FAR * best) e.slow[c] = 2;
    else if (ms > CUT * best) e.slow[c]++;
    // On to the next trial of a candidate still in the round.
    do e.step++;
    while (e.step < e.schedule.length && e.slow[e.schedule[e.step]] >= 2);
    if (e.step < e.schedule.length) return;
    this.decide(e);
  }

  private decide(e: Entry): void {
    if (this.median) {
      e.trialsOf.forEach((t, c) => {
        const sorted = [...t].sort((a, b) => a - b);
        // A candidate cut short (slow trials) keeps its fastest: it lost either way.
        if (sorted.length && e.slow[c] < 2) e.best[c] = sorted.length % 2 ? sorted[sorted.length >> 1] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
      });
    }
    const best = Math.min(...e.best);
    const within = (c: number): boolean => e.best[c] <= best * (1 + this.margin);
    const current = e.candidates.indexOf(e.chosen);
    // Keep what is in use if nothing beats it by the margin; else the cheapest candidate that is within it of the best.
    const pick = e.measured && within(current) ? current : e.best.findIndex((_, c) => within(c));
    // A choice that holds is checked less and less often; one that changed, or came from a round called early
    // (recheckIn), is checked again after recheckMs.
    e.wait = e.rounds > 0 && pick === current && !e.soon ? Math.min(2 * e.wait, 16 * this.recheckMs) : this.recheckMs;
    e.soon = false;
    e.chosen = e.candidates[pick];
    e.measured = true;
    e.times = Array.from(e.best);
    e.rounds++;
    e.step = -1;
    e.calls = 0;
    e.decidedAt = this.now();
  }

  /**
   * Starts the next round of `key` `ms` after the last one ended rather than after the usual wait, once (a caller that
   * finds the last round's choice contradicts what it expected: the round may have met a burst of another job's).
   * The round after that waits recheckMs, as after a first round. Nothing happens while a round runs.
   */
  recheckIn(key: K, ms: number): void {
    const e = this.entries.get(key);
    if (!e || e.step >= 0 || e.candidates.length < 2) return;
    e.wait = ms;
    e.soon = true;
  }

  /** The fastest time of any candidate so far in the round running for `key` (Infinity before one, or between rounds). */
  bestInRound(key: K): number {
    const e = this.entries.get(key);
    return e && e.step >= 0 ? Math.min(...e.best) : Infinity;
  }

  /** What is known of `key`, or undefined if it was never added. */
  plan(key: K): Plan | undefined {
    const e = this.entries.get(key);
    return e && { candidates: e.candidates, chosen: e.chosen, measured: e.measured, times: e.times, rounds: e.rounds };
  }

  /** Every key added so far, with its plan. */
  *plans(): IterableIterator<[K, Plan]> {
    for (const key of this.entries.keys()) yield [key, this.plan(key)!];
  }
}
