// `npm start` (backprop train circle) and the other built-in sets under the default rule: the loss shown falls,
// each bagged network keeps its best epoch seen by its fold's loss, and the run's report says which and why.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { backprop, ROOT } from './cli-helpers.js';

interface Epoch { epoch: number; loss: number; valLoss: number }
interface Report { training: { stopReason: string; finalEpoch: number; epochs: number }; metrics: { validation: { loss: number } }; history: Epoch[] }

describe('npm start', () => {
  it('is backprop train circle', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toMatch(/^node dist\/cli\/main\.js train circle /);
  });

  it('reports each network\'s best epoch, and the out-of-fold validation loss their kept epochs make', () => {
    const text = backprop(['train', 'circle']);
    expect(text.code, text.stderr).toBe(0);
    const lines = [...text.stdout.matchAll(/^network \d \(fold (\d)\): stopped epoch (\d+): the validation loss fell less than 0\.0001 below its best for (\d+) epochs; kept epoch (\d+), the lowest validation loss \(([\d.]+)\)(?:, reached by falls of less than 0\.0001 each after epoch (\d+))?$/gm)];
    expect(lines.map((m) => Number(m[1])), text.stdout).toEqual([1, 2, 3, 4, 5]);
    for (const m of lines) {
      // 240 training rows a network, 8 steps an epoch: the patience is 500 steps, 63 epochs.
      expect(Number(m[3])).toBe(63);
      expect(Number(m[4])).toBeLessThanOrEqual(Number(m[2]));
      // A kept epoch inside the last 63 is said to come from falls smaller than the tolerance, after the epoch the
      // patience counts from; an earlier one is not.
      if (Number(m[4]) > Number(m[2]) - 63) expect(Number(m[6]), m[0]).toBe(Number(m[2]) - 63);
      else expect(m[6], m[0]).toBeUndefined();
    }
    const json = backprop(['train', 'circle', '--json']);
    const r = JSON.parse(json.stdout) as Report & { training: { bagging: { trainRows: number; validationRows: number; epochs: number; finalEpoch: number; valLoss: number }[] } };
    // The history is the first network's; its kept epoch has its lowest validation loss.
    const [ran, best] = [Number(lines[0][2]), Number(lines[0][4])];
    expect(r.history.length).toBe(ran);
    expect(r.training.finalEpoch).toBe(best);
    expect(r.history[best - 1].valLoss).toBe(Math.min(...r.history.map((e) => e.valLoss)));
    expect(r.training.bagging.map((b) => [b.epochs, b.finalEpoch])).toEqual(lines.map((m) => [Number(m[2]), Number(m[4])]));
    // Each entry names its network as the text does, its fold, and what it reads: the kept set's.
    const named = [...text.stdout.matchAll(/^network (\d) \(fold (\d)\): stopped/gm)].map((m) => [Number(m[1]), Number(m[2])]);
    const entries = (r.training as unknown as { bagging: { network: number; fold: number; reads: string }[] }).bagging;
    expect(entries.map((b) => [b.network, b.fold])).toEqual(named);
    const valuesKept = /^kept {5}networks 6, 2, 7, 4, 8, the values alone/m.test(text.stdout);
    expect(entries.map((b) => b.reads)).toEqual(valuesKept ? Array(5).fill('values') : ['bins', 'values', 'bins', 'values', 'bins']);
    // Out of fold: every row scored by the network that held it out, at that network's kept epoch.
    const rows = r.training.bagging.reduce((a, b) => a + b.validationRows, 0);
    expect(rows).toBe(300);
    const pooled = r.training.bagging.reduce((a, b) => a + b.validationRows * b.valLoss, 0) / rows;
    expect(r.metrics.validation.loss).toBeCloseTo(pooled, 5);
    expect(/^ {9}validation \(out of fold\) loss ([\d.]+)/m.exec(text.stdout)![1]).toBe(r.metrics.validation.loss.toFixed(4));
    // The kept set is the one of the lower out-of-fold loss, and its loss is the pooled kept epochs' above.
    const choice = (r.training as { bagChoice?: { mixed: number; values: number; kept: string } }).bagChoice!;
    expect(choice.kept).toBe(choice.values < choice.mixed ? 'values' : 'mixed');
    expect(choice[choice.kept as 'mixed' | 'values']).toBeCloseTo(pooled, 6);
    expect(text.stdout).toMatch(/^kept {5}(networks 1, 3, 5 on the bins and 2, 4 on the values: out-of-fold loss [\d.]+ against [\d.]+ for 6, 2, 7, 4, 8, the values alone|networks 6, 2, 7, 4, 8, the values alone: out-of-fold loss [\d.]+ against [\d.]+ with 1, 3, 5 on the bins)$/m);
    // 300 rows: each kept network then trains again on all of them for its kept epochs.
    const refit = (r.training as { refit?: { rows: number; epochs: number[] } }).refit!;
    expect(refit).toEqual({ rows: 300, epochs: r.training.bagging.map((b) => b.finalEpoch) });
    expect(text.stdout).toMatch(/^refit {4}each kept network trained again from its start on all 300 rows for its kept epochs \(\d+, \d+, \d+, \d+, \d+\)$/m);
  }, 120_000);

  it('shows a falling loss on every built-in set, and keeps the best epoch', () => {
    for (const name of ['circle', 'xor', 'gauss', 'spiral', 'moons', 'plane', 'multigauss', 'iris', 'digits']) {
      const run = backprop(['train', name, '--json']);
      expect(run.code, `${name}: ${run.stderr}`).toBe(0);
      const r = JSON.parse(run.stdout) as Report;
      const h = r.history;
      // Falling: the kept epoch's training and validation losses are well below the first epoch's.
      const k = h[r.training.finalEpoch - 1];
      expect(k.loss, name).toBeLessThan(0.9 * h[0].loss);
      expect(k.valLoss, name).toBeLessThan(0.9 * h[0].valLoss);
      expect(k.valLoss, name).toBe(Math.min(...h.map((e) => e.valLoss)));
      expect(['converged', 'completed'], name).toContain(r.training.stopReason);
      expect(h.length, name).toBeLessThanOrEqual(r.training.epochs);
    }
  }, 400_000);
});
