// The BLAS backend's threads: each product shape's way of running (one thread, blocks of the output on the backend's
// own threads, the BLAS's own threads) is checked to give the one-thread result to the bit before it may be timed and
// chosen, so training gives the same weights whatever the thread setting; small products are not timed; the choice
// is shown by layer and can be pinned.
import { describe, expect, it } from 'vitest';
import { fit, Network, Random, type Kernels, type NetworkSpec, type ProductPlan } from '../src/index.js';
import { createNodeBlasKernels, type BlasKernels } from '../src/node/index.js';
import { createBlasKernels, TIMED_MULTIPLY_ADDS } from '../src/node/blas/backend.js';
import { loadBlasSync, type BlasLibrary } from '../src/node/blas/library.js';
import { threadsWanted } from '../src/node/backends.js';
import { kernelsLabel, stepThreadsLine, threadsLine } from '../src/cli/train.js';

/** W1's shape, the one whose first product OpenBLAS 0.3.21 sums differently on two of its threads than on one. */
const spec = (dtype: 'float32' | 'float64'): NetworkSpec => ({
  inputs: 784, layers: [{ units: 128, activation: 'relu' }, { units: 64, activation: 'relu' }, { units: 10, activation: 'softmax' }],
  loss: 'categorical-cross-entropy', dtype, seed: 3,
});

function data(rows: number): { x: number[][]; y: number[][] } {
  const random = new Random(11);
  const x = Array.from({ length: rows }, () => Array.from({ length: 784 }, () => random.uniform(0, 1)));
  const y = x.map((r) => Array.from({ length: 10 }, (_, k) => (k === Math.floor(10 * r[0]) % 10 ? 1 : 0)));
  return { x, y };
}

function trained(kernels: Kernels, dtype: 'float32' | 'float64', d: { x: number[][]; y: number[][] }, optimizer: 'momentum' | 'sgd' = 'momentum', epochs = 2): Uint8Array[] {
  const net = new Network(spec(dtype), { kernels });
  fit(net, d.x, d.y, { epochs, batchSize: 128, learningRate: 0.05, optimizer });
  return net.parameters.map((p) => new Uint8Array(p.value.data.slice().buffer));
}

const same = (a: Uint8Array[], b: Uint8Array[]): boolean => a.length === b.length && a.every((w, i) => Buffer.from(w).equals(Buffer.from(b[i])));

describe('BLAS threads', () => {
  it.each(['float32', 'float64'] as const)('%s: one thread, two pinned, and timed per step or per product train to the same bits', async (dtype) => {
    const d = data(512);
    const one = (await createNodeBlasKernels({ threads: 1 }))!;
    const two = (await createNodeBlasKernels({ threads: 2 }))!;
    // A timed backend of its own, whose trials are one step each (no untimed steps before), so a short run times them all.
    const timed = createBlasKernels(loadBlasSync(undefined, true)!, 2, false, { trialMs: 0, warmMs: 0 });
    const reference = trained(one, dtype, d, 'momentum', 4);
    expect(same(trained(two, dtype, d, 'momentum', 4), reference)).toBe(true);
    // Its shapes planned first (the team started, each way checked, the products timed one by one, as predictions
    // outside training use them), then trained twice: the first run's steps are the trials of one thread against the
    // team's two, the second runs what was chosen.
    new Network(spec(dtype), { kernels: timed }).productPlans(128);
    expect(timed.productPlans().some((p) => p.plan.how === 'measured' && p.shape.includes(dtype))).toBe(true);
    expect(same(trained(timed, dtype, d, 'momentum', 4), reference)).toBe(true);
    const step = timed.stepPlan(`${dtype} 784-128-64-10`)!;
    // One round, or two where the first kept one thread for these large products (a second follows 0.5 s later).
    expect(step.how).toBe('measured');
    expect([1, 2]).toContain(step.rounds);
    expect(Object.keys(step.times!)).toEqual(['1', '2 (team)']);
    expect(stepThreadsLine(timed, `${dtype} 784-128-64-10`)).toMatch(/^threads {2}training steps ran on (1 thread|2 threads \(the team's blocks\)): a step took 1 thread [\d.]+ (µs|ms), 2 \(team\) [\d.]+ (µs|ms) \(timed on this machine\)$/);
    expect(same(trained(timed, dtype, d, 'momentum', 4), reference)).toBe(true);
    // Plain gradient descent: the first layer's step goes into W inside its gradient product (β = 1, blocks the two
    // threads share), the other layers' in small axpys, and an epoch's last batch steps every parameter in one axpy
    // (which two pinned threads share), so its gradients stay readable.
    const sgd = trained(one, dtype, d, 'sgd');
    expect(same(trained(two, dtype, d, 'sgd'), sgd)).toBe(true);
    expect(same(trained(timed, dtype, d, 'sgd'), sgd)).toBe(true);
    // Two pinned threads really ran W1's big products (the step added into W among them), the batch's gather and the
    // step on two threads (so the comparisons above could fail).
    const big = two.productPlans().filter((p) => (p.shape.includes('784') && p.shape.includes(dtype)) || p.shape.startsWith('gathering') || p.shape.startsWith('axpy'));
    expect(big.map((p) => p.shape.split(' ')[0])).toEqual(expect.arrayContaining(['gathering', 'axpy', '128×784']));
    expect(big.map((p) => p.shape)).toContain(`784×128 (Aᵀ) · 128×128 ${dtype}, β 1`);
    for (const p of big) expect(p.plan).toMatchObject({ threads: 2, team: true, how: 'pinned' });
  }, 60_000);

  it("a BLAS whose own threads sum in another order is never used on them: the check on random operands catches it", () => {
    const real = loadBlasSync(undefined, true)!;
    // The test's library runs one thread underneath whatever it is told, so its "two threads" are exact, and the
    // skewed one differs from it only by the skew.
    let threads = 1;
    const exactTwo: BlasLibrary = { ...real, setThreads: (t) => { threads = t; real.setThreads!(1); } };
    const skewed: BlasLibrary = {
      ...exactTwo,
      sgemm: (...args) => {
        real.sgemm(...args);
        if (threads > 1) {
          const c = args[12];
          c[0] = Math.fround(c[0] * (1 + 2 ** -20));
        }
      },
    };
    // 8×4096 · 4096×8 is too narrow for two of the team's blocks, so the BLAS's own threads are its only other way.
    const plan = (library: BlasLibrary): ProductPlan => createBlasKernels(library, 2, false).planProduct(8, 8, 4096, false, false, 'float32');
    // Two candidates (one thread, the library's two), so timed rather than 'only'; which of them the round kept a time
    // for depends on the load (a way whose first run is ten times the other's is left out of the round).
    const exactPlan = plan(exactTwo);
    expect(exactPlan.how).toBe('measured');
    expect(Object.keys(exactPlan.times!).every((w) => w === '1' || w === '2 (BLAS)')).toBe(true);
    expect(plan(skewed)).toMatchObject({ threads: 1, how: 'only' });
    // Where the team's blocks are exact, the BLAS's own threads are not a candidate at all (they spin after a call).
    const k = createBlasKernels(real, 2, false);
    // (Which of the two the round kept a time for depends on the load, as above: a clean-clone run at load 7 timed only '1'.)
    const teamPlan = k.planProduct(128, 128, 784, false, false, 'float32');
    expect(teamPlan.how).toBe('measured');
    expect(Object.keys(teamPlan.times!).every((w) => w === '1' || w === '2 (team)')).toBe(true);
    // Pinned to two threads it uses the team's (exact) way, never the library's.
    const pinned = createBlasKernels(skewed, 2, true);
    expect(pinned.planProduct(128, 128, 784, false, false, 'float32')).toMatchObject({ threads: 2, team: true, how: 'pinned' });
    const d = data(256);
    expect(same(trained(pinned, 'float32', d), trained(createBlasKernels(real, 1, true), 'float32', d))).toBe(true);
  }, 60_000);

  it('small products are not timed; the plan line says how steps run, and the first layer carries no error back', async () => {
    const k = (await createNodeBlasKernels({ threads: 'auto' }))! as BlasKernels;
    expect(k.planProduct(32, 100, 33, false, false, 'float32')).toEqual({ threads: 1, team: false, how: 'small', times: null });
    expect(32 * 100 * 33).toBeLessThan(TIMED_MULTIPLY_ADDS);
    const net = new Network(spec('float32'), { kernels: k });
    const layers = net.productPlans(128)!;
    expect(layers.map((l) => l.back === null)).toEqual([true, false, false]);
    expect(layers[2].forward.how).toBe('small'); // 128×64·64×10
    expect(['measured', 'only']).toContain(layers[0].forward.how);
    // Before training, the line says how steps will be chosen (nothing timed to say it); pinned, one line that says so.
    const timed = new Network(spec('float32'), { kernels: createBlasKernels(loadBlasSync(undefined, true)!, 2, false) });
    expect(threadsLine(timed, 128)).toBe("threads  training steps timed on this machine on 1 thread and on 2 (blocks of each product on the backend's threads), the faster kept; --threads N pins them");
    const pinned = (await createNodeBlasKernels({ threads: 2 }))!;
    expect(threadsLine(new Network(spec('float32'), { kernels: pinned }), 128)).toBe('threads  every product on 2 BLAS threads (pinned by --threads or BACKPROP_THREADS)');
    // A table's products are all small: nothing to show. digits with the default bins (489 inputs, 100 units, batch
    // 32) has products the team could share, but too small for its threads to start.
    expect(threadsLine(new Network({ inputs: 489, layers: [{ units: 100 }, { units: 10, activation: 'softmax' }], loss: 'categorical-cross-entropy' }, { kernels: k }), 32)).toBeNull();
    expect(489 * 100 * 32).toBeGreaterThan(TIMED_MULTIPLY_ADDS);
    expect(threadsLine(new Network({ inputs: 4, layers: [{ units: 16 }, { units: 3, activation: 'softmax' }], loss: 'categorical-cross-entropy' }, { kernels: k }), 32)).toBeNull();
    // The plan line's backend says so too: a table's network runs on one thread, not "timed per training step".
    expect(kernelsLabel(timed, 128)).toMatch(/^blas \(.+, 1–2 threads, timed per training step\)$/);
    const table = new Network({ inputs: 489, layers: [{ units: 100 }, { units: 10, activation: 'softmax' }], loss: 'categorical-cross-entropy' }, { kernels: createBlasKernels(loadBlasSync(undefined, true)!, 2, false) });
    expect(kernelsLabel(table, 32)).toMatch(/^blas \(.+, 1 thread: products too small to share\)$/);
    expect(kernelsLabel(new Network(spec('float32'), { kernels: pinned }), 128)).toBe(pinned.name);
  });

  it("a table's network never starts the backend's threads, even with products large enough to share", () => {
    // digits with the default bins: 489 inputs, 100 units, batch 32 (1.6 million multiply-adds a product); 30 epochs
    // of 1,440 rows run far more than the 50 ms of such products that once started the team.
    const k = createBlasKernels(loadBlasSync(undefined, true)!, 2, false);
    const random = new Random(5);
    const x = Array.from({ length: 1440 }, () => Array.from({ length: 489 }, () => random.uniform(0, 1)));
    const y = x.map((r) => Array.from({ length: 10 }, (_, c) => (c === Math.floor(10 * r[0]) ? 1 : 0)));
    const net = new Network({ inputs: 489, layers: [{ units: 100 }, { units: 10, activation: 'softmax' }], loss: 'categorical-cross-entropy' }, { kernels: k });
    const began = performance.now();
    fit(net, x, y, { epochs: 30, batchSize: 32, accuracy: false });
    expect(performance.now() - began).toBeGreaterThan(150);
    expect(k.productPlans()).toEqual([]); // no shape planned: the team never ran
    expect(k.stepPlan('float32 489-100-10')).toBeNull();
  });

  it('a first round of step timing that contradicts the product sizes is checked again soon, and only then', () => {
    // A clock the test moves: each one-thread BLAS call on this thread adds its multiply-adds at 10⁷ a millisecond; the
    // team's block that this thread runs adds its own (about half the product, the helper's half running beside it),
    // times `skew` while the first round of step timing runs: a busy moment that falls on the team's trials (skew 20)
    // or on one thread's (skew 1/20, with one thread slowed the same).
    const real = loadBlasSync(undefined, true)!;
    const run = (layers: NetworkSpec['layers'], batch: number, skew: number, epochs = 12): { rounds: number; threads: number } => {
      let t = 0, firstRound = true;
      const full = new Set<number>();
      const clocked: BlasLibrary = {
        ...real,
        sgemm: (...args) => {
          real.sgemm(...args);
          const multiplyAdds = args[3] * args[4] * args[5];
          const block = !full.has(multiplyAdds);
          t += (multiplyAdds / 1e7) * (!firstRound ? 1 : block ? Math.max(1, skew) : Math.max(1, 1 / skew));
        },
      };
      const k = createBlasKernels(clocked, 2, false, { trialMs: 0, warmMs: 0, soonMs: 20, now: () => t });
      const s: NetworkSpec = { inputs: 784, layers, loss: 'categorical-cross-entropy', seed: 3 };
      let inputs = 784;
      for (const l of layers) {
        full.add(batch * inputs * l.units);
        inputs = l.units;
      }
      const net = new Network(s, { kernels: k });
      net.productPlans(batch); // starts the team now
      const key = `float32 784-${layers.map((l) => l.units).join('-')}`;
      const d = data(4 * batch);
      fit(net, d.x, d.y, { epochs, batchSize: batch, accuracy: false, callbacks: [{ onBatchEnd: () => (firstRound = (k.stepPlan(key)?.rounds ?? 0) === 0) }] });
      const plan = k.stepPlan(key)!;
      return { rounds: plan.rounds, threads: plan.threads };
    };
    // W1 at batch 128 (12.8 million multiply-adds in its first layer's products): the team looked 20 times slower in
    // the first round, so one thread was kept, and a second round 20 ms (of this clock) later chose the team.
    expect(run(spec('float32').layers, 128, 20)).toEqual({ rounds: 2, threads: 2 });
    // Where the first round chose the team, nothing contradicts it: no second round within the run (5 s of this clock).
    expect(run(spec('float32').layers, 128, 1 / 20)).toEqual({ rounds: 1, threads: 2 });
    // Products below 2²² multiply-adds (784·32·32 = 0.8 million): one thread is no contradiction, checked after 5 s
    // (240 steps of this network are about 40 ms of this clock).
    expect(run([{ units: 32, activation: 'relu' }, { units: 10, activation: 'softmax' }], 32, 20, 60)).toEqual({ rounds: 1, threads: 1 });
  });

  it('a training step runs 3 products per layer but 2 for the first, which has no layer below to carry its error to', async () => {
    const k = (await createNodeBlasKernels({ threads: 1 }))!;
    const shapes: string[] = [];
    const spied: Kernels = { ...k, gemm: (a, ta, b, tb, out, alpha, beta) => (shapes.push(`${ta ? a.cols : a.rows}×${tb ? b.rows : b.cols}`), k.gemm(a, ta, b, tb, out, alpha, beta)) };
    const d = data(128);
    fit(new Network(spec('float32'), { kernels: spied }), d.x, d.y, { epochs: 1, batchSize: 128, accuracy: false });
    // Forward 128×128, 128×64, 128×10; then ∂W 64×10, e 128×64; ∂W 128×64, e 128×128; ∂W 784×128 and no 128×784.
    expect(shapes).toEqual(['128×128', '128×64', '128×10', '64×10', '128×64', '128×64', '128×128', '784×128']);
  });

  it("the next batch's rows are gathered in the background on the team's helper: the same bits, and the rows asked for", () => {
    const library = loadBlasSync(undefined, true)!;
    const two = createBlasKernels(library, 2, true);
    const d = data(512);
    // fit asks for batch b + 1 while b trains (4 batches an epoch: 3 asked ahead), into a second input buffer; the
    // helper gathers them between its shares of the products, and the step that needs them finishes the rest.
    const sgd = trained(createBlasKernels(library, 1, true), 'float64', d, 'sgd');
    expect(same(trained(two, 'float64', d, 'sgd'), sgd)).toBe(true);
    expect(same(trained(two, 'float32', d, 'sgd'), trained(createBlasKernels(library, 1, true), 'float32', d, 'sgd'))).toBe(true);
    // (All but the very first: asked for before the first product, which starts the team's threads.)
    expect(two.backgroundGathers()).toMatchObject({ batches: 11, rows: 11 * 128 });
    // Straight to the backend: rows 100.. of a shuffled order, asked for ahead and then taken, match a plain gather
    // however far the helper had got (it runs as it may on a loaded machine: tried until it had got somewhere).
    const rows = 300, cols = 784;
    const src = two.allocate!(rows, cols, 'float64'), dst = two.allocate!(128, cols, 'float64');
    src.data.forEach((_, i) => (src.data[i] = i));
    const order = Uint32Array.from(new Random(3).shuffle(Array.from({ length: rows }, (_, i) => i)));
    const expected = (o: Uint32Array): number[] => Array.from({ length: 128 * cols }, (_, i) => o[100 + Math.floor(i / cols)] * cols + (i % cols));
    const spin = (ms: number): void => {
      for (const until = performance.now() + ms; performance.now() < until;);
    };
    let ahead = 0;
    for (let attempt = 0; attempt < 20 && ahead === 0; attempt++) {
      dst.data.fill(-1);
      const before = two.backgroundGathers().ahead;
      two.prefetchRows(src, order, 100, dst);
      spin(20);
      expect(two.gatherRows!(src, order, 100, dst)).toBe(true);
      expect(Array.from(dst.data)).toEqual(expected(order));
      ahead = two.backgroundGathers().ahead - before;
    }
    expect(ahead).toBeGreaterThan(0);
    // An order changed after the rows were asked for (it should not be; a new shuffle) gathers them again by the new one.
    dst.data.fill(-1);
    const before = two.backgroundGathers().ahead;
    two.prefetchRows(src, order, 100, dst);
    spin(20);
    [order[100], order[101]] = [order[101], order[100]];
    two.gatherRows!(src, order, 100, dst);
    expect(Array.from(dst.data)).toEqual(expected(order));
    expect(two.backgroundGathers().ahead).toBe(before);
  }, 60_000);

  it('BACKPROP_THREADS pins the default, and a bad value is one error naming it', () => {
    const saved = process.env.BACKPROP_THREADS;
    try {
      process.env.BACKPROP_THREADS = '3';
      expect(threadsWanted()).toBe(3);
      expect(threadsWanted('auto')).toBe('auto');
      process.env.BACKPROP_THREADS = 'auto';
      expect(threadsWanted()).toBe('auto');
      process.env.BACKPROP_THREADS = 'two';
      expect(() => threadsWanted()).toThrow(/^BACKPROP_THREADS: expected a whole number of threads from 1 to 1024, or auto, got "two"$/);
      expect(() => threadsWanted(0)).toThrow(/^threads: expected a whole number/);
    } finally {
      if (saved === undefined) delete process.env.BACKPROP_THREADS;
      else process.env.BACKPROP_THREADS = saved;
    }
  });
});
