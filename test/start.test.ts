// `npm start` (backprop train circle) and the other built-in sets under the default rule: the loss shown falls,
// the model is the best epoch seen by validation loss, and the run's report says which epoch it kept and why.
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

  it('reports the best epoch\'s validation loss as its result, and no later epoch', () => {
    const text = backprop(['train', 'circle']);
    expect(text.code, text.stderr).toBe(0);
    const kept = /^stopped  epoch (\d+): the validation loss fell less than 0\.0001 below its best for (\d+) epochs; kept epoch (\d+), the lowest validation loss \(([\d.]+)\)$/m.exec(text.stdout);
    expect(kept, text.stdout).not.toBeNull();
    const [ran, patience, best] = [Number(kept![1]), Number(kept![2]), Number(kept![3])];
    expect(best).toBeLessThanOrEqual(ran);
    expect(patience).toBe(63);
    const json = backprop(['train', 'circle', '--json']);
    const r = JSON.parse(json.stdout) as Report;
    expect(r.history.length).toBe(ran);
    expect(r.training.finalEpoch).toBe(best);
    const lowest = Math.min(...r.history.map((e) => e.valLoss));
    expect(r.history[best - 1].valLoss).toBe(lowest);
    // The final validation loss is the kept epoch's, measured again on the restored weights.
    expect(r.metrics.validation.loss).toBeCloseTo(lowest, 6);
    expect(r.metrics.validation.loss).not.toBeCloseTo(r.history[ran - 1].valLoss, 6);
    const shown = /^         validation loss ([\d.]+)/m.exec(text.stdout)![1];
    expect(shown).toBe(lowest.toFixed(4));
  });

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
  }, 120_000);
});
