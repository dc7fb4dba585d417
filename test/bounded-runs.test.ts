// Runs that could go on without bound: a history that would keep every one of 10¹² epochs, a tune budget that did not
// bound a trial, a search that left its workers alive when a callback threw. And a split that leaves no validation
// rows says why.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fit, HISTORY_EPOCHS, Network, train, tune } from '../src/index.js';
import { renderPlot } from '../src/cli/plot.js';

const xor = { x: [[0, 0], [0, 1], [1, 0], [1, 1]], y: [[0], [1], [1], [0]] };
const net = (): Network => new Network({ inputs: 2, layers: [{ units: 3, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], loss: 'binary-cross-entropy' });

describe('the history is bounded, whatever the epochs', () => {
  it('every epoch up to HISTORY_EPOCHS; past them evenly spaced ones, with the first, the best and the last', () => {
    const epochs = 5 * HISTORY_EPOCHS + 7;
    const every: { epoch: number; loss: number }[] = [];
    const h = fit(net(), xor.x, xor.y, { epochs, batchSize: 4, learningRate: 0.5, callbacks: [{ onEpochEnd: (e) => every.push({ epoch: e.epoch, loss: e.loss }) }] });
    expect(h.epochsRun).toBe(epochs);
    expect(h.epochs.length).toBeLessThanOrEqual(2 * HISTORY_EPOCHS + 2);
    expect(h.epochs.length).toBeGreaterThanOrEqual(HISTORY_EPOCHS / 2);
    const kept = h.epochs.map((e) => e.epoch);
    expect(kept[0]).toBe(1);
    expect(kept[kept.length - 1]).toBe(epochs);
    expect(kept).toEqual([...kept].sort((p, q) => p - q));
    const best = every.reduce((p, q) => (q.loss < p.loss ? q : p));
    expect(kept).toContain(best.epoch);
    // Evenly spaced: every multiple of the spacing, and nothing else but the first, the best and the last.
    const stride = kept[2] - kept[1];
    expect(stride).toBeGreaterThan(1);
    const grid = Array.from({ length: Math.floor(epochs / stride) }, (_, i) => (i + 1) * stride);
    expect(kept).toEqual(expect.arrayContaining(grid));
    expect(kept.filter((e) => e % stride !== 0)).toEqual([...new Set([1, best.epoch, epochs])].filter((e) => e % stride !== 0).sort((p, q) => p - q));
    // The logs kept are the epochs' own.
    for (const e of h.epochs) expect(e.loss).toBe(every[e.epoch - 1].loss);
    // A run that fits in the record keeps every epoch.
    const short = fit(net(), xor.x, xor.y, { epochs: HISTORY_EPOCHS, batchSize: 4 });
    expect(short.epochs.map((e) => e.epoch)).toEqual(Array.from({ length: HISTORY_EPOCHS }, (_, i) => i + 1));
  });

  it('train takes epochs: 1e12 and its history stays bounded until it is stopped', async () => {
    const rows = Array.from({ length: 8 }, (_, i) => ({ a: i % 2, b: (i >> 1) % 2, y: i % 2 ? 'p' : 'q' }));
    const stop = new AbortController();
    const model = await train(rows, { epochs: 1e12, validation: 0, signal: stop.signal, onEpoch: (e) => void (e.epoch === 3 * HISTORY_EPOCHS && stop.abort()) });
    const h = model.history!;
    expect(h.stopReason).toBe('aborted');
    expect(h.epochsRun).toBe(3 * HISTORY_EPOCHS);
    expect(h.epochs.length).toBeLessThanOrEqual(2 * HISTORY_EPOCHS + 2);
  }, 60_000);

  it('the plot of a thinned history spans every epoch run', () => {
    const h = fit(net(), xor.x, xor.y, { epochs: 3 * HISTORY_EPOCHS, batchSize: 4 });
    const svg = renderPlot({ title: 'xor', epochs: h.epochs });
    // The loss curve ends at the right edge of its frame (the x axis runs to the last epoch, not to the count of logs).
    const rect = /<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/.exec(svg)!;
    const points = /<polyline points="([^"]+)"/.exec(svg)![1].split(' ').map((p) => Number(p.split(',')[0]));
    expect(points).toHaveLength(h.epochs.length);
    expect(points[points.length - 1]).toBeCloseTo(Number(rect[1]) + Number(rect[2]), 0);
  });
});

describe('tune', () => {
  const rows = Array.from({ length: 40 }, (_, i) => ({ a: (i * 7) % 11, b: (i * 3) % 5, y: i % 2 ? 'p' : 'q' }));

  it('a budget bounds the trials too: one still training is stopped and reported as cut short', async () => {
    // Today the budget only stops new trials from starting: this search went on for hours.
    await expect(tune(rows, { trials: 4, folds: 2, epochs: 1e6, budget: 500 }))
      .rejects.toThrow(/^budget: no trial finished within the budget of 500 ms; trial 1 was cut short by it; give more time$/);
  }, 60_000);

  it('however a search on worker threads ends, it leaves nothing that keeps the process alive', () => {
    // Today the process never exits after the first case (two MessagePorts stay open): spawnSync times out.
    const program = fileURLToPath(new URL('./programs/tune-ends.mjs', import.meta.url));
    const r = spawnSync(process.execPath, [program], { encoding: 'utf8', timeout: 60_000 });
    expect(r.signal, r.stdout + r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      'a callback that throws at once: rejected: thrown by onProgress',
      'a callback that throws at a rung: rejected: thrown by onProgress',
      'an abort: resolved (interrupted)',
      // (On a loaded machine the workers may take the whole second to start: then no trial was cut, none having started.)
      expect.stringMatching(/^a budget: rejected: budget: no trial finished within the budget of 1000 ms(; trials? [\d, ]+ (was|were) cut short by it)?; give more time$/),
      expect.stringMatching(/^a trial that fails: rejected: tune: trial \d: classWeight: "nothing" is not a class of y \(p, q\)$/),
      'a search that finishes: resolved',
      ...[40, 80, 120, 160, 200, 240].map((ms) => `an abort after ${ms} ms: resolved (interrupted)`),
    ]);
  }, 90_000);
});

describe('a split that leaves no validation rows says why', () => {
  it('a text target of 10,000 classes in 20,000 rows', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => ({ a: i % 7, b: (i * 3) % 5, name: `person ${i % 10_000}` }));
    // Today: "validation: 0.2 of 20000 rows leaves no validation rows", which 4,000 rows should not.
    // Five bagged networks each hold out a fold of every class: the same cause, in folds.
    await expect(train(rows, { epochs: 1, bagging: 5 })).rejects.toThrow(new RegExp('^bagging: 5 networks each hold out a fold of 20000 rows, a share of each class, and none of the target\'s 10000 classes ' +
      'has rows enough \\(at most 2\\) for a fold to hold one of them\\. 10000 classes in 20000 rows look more like an identifier or free text than classes \\(is the target the right column\\?\\); or use bagging 1$'));
    // Above 10,000 rows the default is one network with the validation share (bagging 1 says the same).
    await expect(train(rows, { epochs: 1 })).rejects.toThrow(new RegExp('^validation: 0\\.2 of 20000 rows leaves no validation rows: the split keeps each class\'s share on both sides, ' +
      'and none of the target\'s 10000 classes has rows enough \\(at most 2\\) for 0\\.2 of them to round to one\\. 10000 classes in 20000 rows look more like an identifier ' +
      'or free text than classes \\(is the target the right column\\?\\); or use validation 0$'));
    // A share that is too small for the rows themselves is said as before.
    await expect(train(rows.slice(0, 4).map((r, i) => ({ ...r, name: i % 2 ? 'x' : 'y' })), { epochs: 1, validation: 0.01 })).rejects.toThrow(/^validation: 0\.01 of 4 rows leaves no validation rows; use a larger share/);
  });
});
