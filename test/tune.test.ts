// backprop tune: seeded trials around the defaults, each trained by the default rule and scored on rows it did not
// train on; the best, and the model it writes.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { getEventListeners } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { backprop, BIN, tempDir } from './cli-helpers.js';
import { durationOption } from '../src/cli/tune.js';
import { asFlags, drawTrials } from '../src/model/tune.js';

const dir = tempDir();

interface TuneJson {
  metric: string;
  folds: number | null;
  trials: { trial: number; settings: { layers: number[] }; score: number | null; cutShort: boolean }[];
  best: { trial: number; score: number; flags: string };
  stoppedByBudget: boolean;
  model: string | null;
}

describe('backprop tune', () => {
  it('draws the same trials from the same seed, the defaults first', () => {
    const a = drawTrials(12, 5);
    expect(drawTrials(12, 5)).toEqual(a);
    expect(drawTrials(12, 6)).not.toEqual(a);
    expect(a[0]).toEqual({ bins: 16, layers: [100], activation: 'relu', lr: 0.001, batchSize: 32, l2: null, dropout: 0 });
    expect(new Set(a.map((t) => JSON.stringify(t))).size).toBe(12);
    // The flags name what of the search decides its training besides the settings, the target quoted for the shell.
    expect(asFlags(a[0], 150, { seed: 7, target: "it's a column", task: 'classification' })).toBe("--seed 7 --target 'it'\\''s a column' --task classification");
    expect(asFlags(a[0], 150, { seed: 1, target: 'species', folds: 3, epochs: 9 })).toBe('--bagging 3 --epochs 9 --target species');
    expect(asFlags({ ...a[0], l2: 4.5 }, 150)).toBe('--bins 16 --layers 100 --activation relu --lr 0.001 --batch-size 32 --l2 0.03');
    expect(durationOption('90s')).toBe(90_000);
    expect(durationOption('5m')).toBe(300_000);
    expect(() => durationOption('soon')).toThrow('--budget: expected a duration like 90s, 5m or 1h, got "soon"');
  });

  it('trial 1 is the defaults: scored as train() scores them out of fold, and as the winner it names no options', async () => {
    const { tune, readTable } = await import('../dist/node/index.js');
    const { planTraining } = await import('../dist/index.js');
    const iris = await readTable('iris');
    // On worker threads (backprop/node's tune) and here, on the same single-threaded kernels so the sums agree to the bit.
    const result = await tune(iris, { trials: 1, backend: 'wasm' });
    // train's plan with its second round on every row: the score is its fold networks', which that round leaves be.
    const plan = await planTraining(iris, { backend: 'wasm' });
    const defaults = plan.metrics(await plan.fit()).validation!.accuracy!;
    expect(plan.refit?.rows).toBe(150);
    expect(result.trials).toEqual([{ trial: 1, settings: drawTrials(1, 1)[0], score: defaults, cutShort: false }]);
    expect(result.best).toMatchObject({ trial: 1, flags: '', score: defaults });
    // No l2, bagging nor epochs: train fills them in by the default rule, as it does for `backprop train`.
    expect(result.best!.options).toEqual({ bins: 16, layers: [100], activation: 'relu', lr: 0.001, batchSize: 32 });
    // Given folds and epochs, every trial trains that many networks for exactly that many epochs, as train would.
    const given = await tune(iris, { trials: 1, folds: 3, epochs: 7, backend: 'wasm' });
    const three = await planTraining(iris, { bagging: 3, epochs: 7, backend: 'wasm' });
    expect(given.trials[0].score).toBe(three.metrics(await three.fit()).validation!.accuracy);
    expect(given.best!.flags).toBe('--bagging 3 --epochs 7');
  }, 300_000);

  it('reproducible on one worker or two; the best is the top score; its model is what train writes from its flags', () => {
    const model = join(dir, 'best.json');
    // 20 epochs each (the trials' other settings as drawn): a search at the default epochs is what the budget test and
    // the defaults' test run, and this one's properties do not hang on how long each network trains.
    const r1 = backprop(['tune', 'iris', '--trials', '4', '--epochs', '20', '--json', '--workers', '1']);
    expect(r1.code, r1.stderr).toBe(0);
    const one = JSON.parse(r1.stdout) as TuneJson;
    // Every trial scored, in order; the best is the highest score, the earlier trial on a tie.
    expect(one.trials.map((t) => t.trial)).toEqual([1, 2, 3, 4]);
    expect(one.trials.every((t) => t.score !== null && t.score > 0.5 && !t.cutShort)).toBe(true);
    const top = Math.max(...one.trials.map((t) => t.score!));
    expect(one.best.score).toBe(top);
    expect(one.best.trial).toBe(one.trials.find((t) => t.score === top)!.trial);
    // On two workers: one line per trial, in order, with the same scores (150 rows: a step of 0.67%, so two decimals
    // tell every score apart), and the same winner.
    const r2 = backprop(['tune', 'iris', '--trials', '4', '--epochs', '20', '--workers', '2', '--out', model]);
    expect(r2.code, r2.stderr).toBe(0);
    const lines = [...r2.stdout.matchAll(/^trial +(\d+)  accuracy ([\d.]+)%  /gm)];
    expect(lines.map((m) => Number(m[1]))).toEqual([1, 2, 3, 4]);
    expect(lines.map((m) => m[2])).toEqual(one.trials.map((t) => (100 * t.score!).toFixed(2)));
    expect(r2.stdout).toMatch(/^trial +1  accuracy [\d.]+%  the defaults$/m);
    expect(r2.stdout).toContain(`best     trial ${one.best.trial}: ${one.best.flags === '' ? 'the defaults (no options)' : one.best.flags}\n`);
    // The model tune wrote is the one `backprop train` writes with the winner's flags (--epochs 20 among them).
    expect(one.best.flags).toMatch(/--epochs 20$/);
    const again = join(dir, 'again.json');
    const r = backprop(['train', 'iris', ...one.best.flags.split(' '), '--out', again, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(model, 'utf8')).toBe(readFileSync(again, 'utf8'));
    // So with a seed and a target given to tune: its flags carry them.
    const seeded = join(dir, 'seeded.json'), seededAgain = join(dir, 'seeded-again.json');
    const r3 = backprop(['tune', 'iris', '--trials', '2', '--epochs', '3', '--seed', '7', '--target', 'species', '--out', seeded, '--json']);
    expect(r3.code, r3.stderr).toBe(0);
    const flags = (JSON.parse(r3.stdout) as TuneJson).best.flags;
    expect(flags).toMatch(/--epochs 3 --seed 7 --target species$/);
    expect(backprop(['train', 'iris', ...flags.split(' '), '--out', seededAgain, '--quiet']).code).toBe(0);
    expect(readFileSync(seeded, 'utf8')).toBe(readFileSync(seededAgain, 'utf8'));
  }, 300_000);

  it('a trial\'s stop listener goes when the trial ends: twelve trials on one signal leave none behind', async () => {
    const { workerRunner, readTable } = await import('../dist/node/index.js');
    const runner = workerRunner(await readTable('iris'), 1, 12);
    const controller = new AbortController();
    try {
      for (let i = 0; i < 12; i++) {
        const r = await runner.run({ bagging: 2, epochs: 1, layers: [4], seed: i + 1 }, controller.signal);
        expect(r.score).toBeGreaterThan(0);
        expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      }
      // A trial that fails takes its listener too.
      await expect(runner.run({ bagging: 2, epochs: 1, layers: [0.5] } as never, controller.signal)).rejects.toThrow(/layers/);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    } finally {
      await runner.close();
    }
  }, 60_000);

  it('ends the search when the budget is spent, trials included, and says which were cut short', () => {
    // 400 trials take minutes on two workers: at 2 s both workers are training one, which the budget stops, and most
    // have not started. On a loaded machine no trial may finish in 2 s: that is the documented refusal (exit 2), and
    // the budget is tripled, up to 18 s.
    let budget = 2, r = backprop(['tune', 'iris', '--trials', '400', '--budget', `${budget}s`, '--json']);
    while (r.code === 2 && /no trial finished within the budget/.test(r.stderr) && budget < 18) {
      budget *= 3;
      r = backprop(['tune', 'iris', '--trials', '400', '--budget', `${budget}s`, '--json']);
    }
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as TuneJson;
    expect(result.stoppedByBudget).toBe(true);
    expect(result.trials.filter((t) => t.score === null && !t.cutShort).length).toBeGreaterThan(0);
    const cut = result.trials.filter((t) => t.cutShort);
    expect(cut.length).toBeGreaterThan(0);
    // A trial cut short has no score.
    for (const t of cut) expect(t.score).toBeNull();
    const said = backprop(['tune', 'iris', '--trials', '400', '--budget', `${budget}s`]);
    expect(said.code, said.stderr).toBe(0);
    expect(said.stdout).toMatch(/^trial +\d+  cut short by the budget  (the defaults|bins \d+ layers )/m);
    const left = /^budget   reached: trials? [\d, ]+ cut short, (\d+) trials? that had not started left out$/m.exec(said.stdout);
    expect(left, said.stdout).not.toBeNull();
    // Every trial is scored, cut short or counted as not started.
    const scored = said.stdout.match(/^trial +\d+  accuracy /gm)?.length ?? 0, cutLines = said.stdout.match(/^trial +\d+  cut short/gm)?.length ?? 0;
    expect(scored + cutLines + Number(left![1])).toBe(400);
    const text = backprop(['tune', 'iris', '--trials', '2', '--budget', 'soon']);
    expect(text.code).toBe(2);
    expect(text.stderr).toBe('backprop: --budget: expected a duration like 90s, 5m or 1h, got "soon"\n');
  }, 120_000);

  it('Ctrl-C during the search stops it: nothing is written, exit 130', async () => {
    const out = join(dir, 'kept.json');
    writeFileSync(out, 'the good model');
    const child = spawn(process.execPath, [BIN, 'tune', 'digits', '--trials', '40', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '', killed = false;
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => {
      stdout += d;
      // The search has begun; 40 trials on digits take far longer than the kill. One Ctrl-C only.
      if (!killed && /^tune /m.test(stdout)) {
        killed = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
    expect(stderr).toBe(`backprop: interrupted during the search; nothing was written (${out} unchanged)\n`);
    expect(stdout).not.toContain('best ');
    expect(readFileSync(out, 'utf8')).toBe('the good model');
  }, 60_000);
});
