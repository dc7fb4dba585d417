// The playground's training runs here, off the page's main thread, so the page never freezes.
// It uses the library's Network and Trainer exactly as a program would.
import { evaluate, measure, Model, Network, Random, traceUpdate, Trainer, zeros, type ActivationName, type Matrix, type Preprocessing } from '../../src/index.js';
import { inputsAt, makeProblem, networkSpec, startingWeights, type Problem } from './problem.js';
import { GRID, type ClassAccuracy, type FromWorker, type RegressionFit, type Snapshot, type ToWorker } from './protocol.js';
import { isTableSet, type State } from './state.js';
import { readTable, setTable, tableOf, type TableSource } from './tables.js';

interface Scope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
}
const scope = self as unknown as Scope;
/** The page's reset this network answers: every message carries it, so the page can drop those of an earlier one. */
let run = 0;
type Untagged<M> = M extends unknown ? Omit<M, 'run' | 'taken'> : never;
const post = (message: Untagged<FromWorker>, transfer?: Transferable[]): void => scope.postMessage({ ...message, run, taken } as FromWorker, transfer);
/** The page's messages taken so far. */
let taken = 0;

let state: State;
let problem: Problem;
let net: Network;
let trainer: Trainer;
let shuffle: Random;
let epoch = 0;
let playing = false;
let trainX: Matrix, trainY: Matrix, gridX: Matrix, gridY: Matrix;
/** The test rows; null where there are none (a lesson's data is its one point). */
let test: { x: Matrix; y: Matrix } | null;
let batches: { x: Matrix; y: Matrix }[] = [];
let order: number[] = [];
let lastNorms: number[] = [];

function penalties(s: State): { l1: number; l2: number } {
  return { l1: s.regularization === 'l1' ? s.regularizationRate : 0, l2: s.regularization === 'l2' ? s.regularizationRate : 0 };
}

function reset(s: State, table?: TableSource): void {
  state = s;
  // A table's parsed cells are typed here as the page typed them (the page refused a bad file before sending it).
  if (table && isTableSet(s.dataset) && tableOf(s.dataset)?.source.id !== table.id) setTable(s.dataset, readTable(table));
  problem = makeProblem(s);
  net = new Network(networkSpec(s, problem.task, problem));
  const weights = startingWeights(s);
  if (weights) net.setWeights(weights);
  trainer = new Trainer(net, { optimizer: s.optimizer, ...penalties(s) });
  shuffle = new Random(s.seed + 1);
  epoch = 0;
  trainX = net.inputBatch(problem.train.x);
  trainY = net.targetBatch(problem.train.y, trainX.rows);
  test = null;
  if (problem.test.x.length > 0) {
    const x = net.inputBatch(problem.test.x);
    test = { x, y: net.targetBatch(problem.test.y, x.rows) };
  }
  makeGrid();
  // Batch buffers, made once per reset: every epoch reuses them.
  const size = Math.min(s.batchSize, trainX.rows);
  batches = [];
  for (let start = 0; start < trainX.rows; start += size) {
    const rows = Math.min(size, trainX.rows - start);
    batches.push({ x: zeros(rows, net.inputs, net.dtype), y: zeros(rows, net.outputs, net.dtype) });
  }
  order = Array.from({ length: trainX.rows }, (_, i) => i);
  // One backward pass over the training set, without a step, so the gradient bars show the start too.
  net.pass(trainX, trainY);
  lastNorms = net.gradientNorms().map((n) => n.weights);
  scored = null;
}

/** The inputs at each cell of the heat maps' plane (a table's plane is a view: it changes without a new network). */
function makeGrid(): void {
  const at = inputsAt(state, problem);
  const extent = problem.extent;
  const grid: number[][] = [];
  for (let i = 0; i < GRID; i++) {
    for (let j = 0; j < GRID; j++) {
      const x = -extent + ((j + 0.5) / GRID) * 2 * extent, y = extent - ((i + 0.5) / GRID) * 2 * extent;
      grid.push(at(x, y));
    }
  }
  gridX = net.inputBatch(grid);
  gridY = zeros(gridX.rows, net.outputs, net.dtype);
}

/** One epoch; false (after posting the error) when the loss stopped being finite. */
function trainEpoch(): boolean {
  shuffle.shuffle(order);
  let start = 0;
  for (const b of batches) {
    for (let r = 0; r < b.x.rows; r++) {
      const i = order[start + r];
      b.x.data.set(trainX.data.subarray(i * trainX.cols, (i + 1) * trainX.cols), r * b.x.cols);
      b.y.data.set(trainY.data.subarray(i * trainY.cols, (i + 1) * trainY.cols), r * b.y.cols);
    }
    start += b.x.rows;
    const { loss } = trainer.step(b.x, b.y, state.learningRate);
    if (!Number.isFinite(loss)) {
      playing = false;
      post({ type: 'error', message: `Training diverged: the loss became ${loss} in epoch ${epoch + 1}, so the learning rate ${state.learningRate} is too large. Pick a smaller one (that starts afresh).` });
      return false;
    }
  }
  lastNorms = net.gradientNorms().map((n) => n.weights);
  epoch++;
  return true;
}

/** Sets one weight or bias by hand, as the learner typed it. */
function edit(layer: number, from: number | 'bias', to: number, value: number): void {
  const weights = net.getWeights();
  const target = weights[layer];
  if (!target || !(to >= 0 && to < net.layers[layer].units) || !Number.isFinite(value)) throw new Error(`No such weight: layer ${layer + 1}, ${from} → ${to + 1}`);
  if (from === 'bias') {
    if (!target.bias) throw new Error(`Layer ${layer + 1} has no biases`);
    target.bias[to] = value;
  } else {
    if (!target.weights[from]) throw new Error(`No such weight: layer ${layer + 1}, ${from + 1} → ${to + 1}`);
    target.weights[from][to] = value;
  }
  net.setWeights(weights);
  net.pass(trainX, trainY);
  lastNorms = net.gradientNorms().map((n) => n.weights);
}

/** ‖∂E/∂W‖ per layer of a fresh network of each activation, over the whole training set, before any step. */
function compare(layers: number[], activations: string[]): void {
  const results = activations.map((activation) => {
    const a = activation as Exclude<ActivationName, 'softmax'>;
    const deep = new Network(networkSpec({ ...state, layers, activation: a, activations: layers.map(() => a) }, problem.task, problem));
    deep.pass(deep.inputBatch(problem.train.x), deep.targetBatch(problem.train.y, problem.train.x.length));
    return { activation, norms: deep.gradientNorms().map((n) => n.weights) };
  });
  post({ type: 'compare', layers, results });
}

/** The class a row of outputs picks, as backprop decodes it: the larger of 1 − p and p, or the largest output. */
function picked(out: ArrayLike<number>, at: number, k: number): number {
  if (k === 1) return out[at] > 0.5 ? 1 : 0;
  let best = 0;
  for (let c = 1; c < k; c++) if (out[at + c] > out[at + best]) best = c;
  return best;
}

/** A classified table's accuracy on its rows, overall and per class. */
function accuracy(): ClassAccuracy | null {
  const classes = problem.table?.classes;
  if (!classes) return null;
  const perClass = classes.map(() => ({ rows: 0, correct: 0 }));
  const count = (x: Matrix, y: Matrix): number => {
    const out = net.predict(x).data, k = net.outputs;
    let right = 0;
    for (let r = 0; r < x.rows; r++) {
      const truth = picked(y.data, r * k, k), guess = picked(out, r * k, k);
      perClass[truth].rows++;
      if (truth === guess) {
        perClass[truth].correct++;
        right++;
      }
    }
    return right;
  };
  const train = count(trainX, trainY), tested = test ? count(test.x, test.y) : 0;
  const testRows = test?.x.rows ?? 0;
  return { train: train / trainX.rows, test: testRows ? tested / testRows : NaN, all: (train + tested) / (trainX.rows + testRows), perClass };
}

/**
 * A regression's R² and MAE in the target's units, through the library's table layer: measure() on the training and
 * test rows, and on all rows the Model's evaluate over the file, which is what `backprop evaluate` reports for the
 * exported model. A generated set's target is not scaled: its values are the plane's own.
 */
function regressionFit(): RegressionFit | null {
  if (problem.task !== 'regression') return null;
  const table = problem.table;
  const prep: Preprocessing = table?.prep ?? { features: [], scaler: null, target: { name: 'value', task: 'regression' } };
  const score = (m: { mae?: number; r2?: number | null }): { r2: number | null; mae: number } => ({ r2: Number.isFinite(m.r2) ? m.r2! : null, mae: m.mae! });
  const train = score(measure(net, prep, trainX, trainY));
  const tested = test ? score(measure(net, prep, test.x, test.y)) : null;
  const frame = table && isTableSet(state.dataset) ? tableOf(state.dataset)?.frame : undefined;
  let all: RegressionFit['all'];
  if (frame) all = score(new Model(net, prep).evaluate(frame));
  else {
    const x = net.inputBatch([...problem.train.x, ...problem.test.x]);
    all = score(measure(net, prep, x, net.targetBatch([...problem.train.y, ...problem.test.y], x.rows)));
  }
  return { target: prep.target!.name, train, test: tested, all };
}

/** The scores of the last snapshot that computed them: while playing they are worked out at most four times a second. */
let scored: { at: number; accuracy: ClassAccuracy | null; regression: RegressionFit | null } | null = null;
const SCORE_MS = 250;

function snapshot(reason: Snapshot['reason']): void {
  const now = performance.now();
  if (!scored || !playing || reason !== 'epoch' || now - scored.at >= SCORE_MS) scored = { at: now, accuracy: accuracy(), regression: regressionFit() };
  const { buffers } = net.pass(gridX, gridY, false);
  const output = Float32Array.from(buffers[buffers.length - 1].a.data);
  const hidden = buffers.slice(0, -1).map((b) => Float32Array.from(b.a.data));
  const message: Snapshot = {
    type: 'update',
    reason,
    epoch,
    trainLoss: evaluate(net, trainX, trainY, { accuracy: false }).loss,
    testLoss: test ? evaluate(net, test.x, test.y, { accuracy: false }).loss : NaN,
    output,
    hidden,
    weights: net.getWeights(),
    gradientNorms: lastNorms,
    playing,
    accuracy: scored.accuracy,
    regression: scored.regression,
  };
  post(message, [output.buffer, ...hidden.map((h) => h.buffer)]);
}

/** One epoch per frame (about 60 a second), as fast as a person can follow; messages (pause, trace) get in between. */
const FRAME_MS = 16;

function keepTraining(): void {
  if (!playing) return;
  const start = performance.now();
  // A diverged run stops here, and its last message (the error) stays the last word.
  if (!trainEpoch()) return;
  snapshot('epoch');
  setTimeout(keepTraining, Math.max(0, FRAME_MS - (performance.now() - start)));
}

scope.onmessage = (event) => {
  const m = event.data;
  taken++;
  try {
    switch (m.type) {
      case 'reset':
        run = m.run;
        playing = false;
        reset(m.state, m.table);
        snapshot('reset');
        break;
      case 'view':
        // The heat maps' plane changed: the same network, its epoch and its curves; only the grid is new.
        state = m.state;
        problem = makeProblem(m.state);
        makeGrid();
        snapshot('view');
        break;
      case 'settings':
        // η and the penalty change from the next step on; the network, the epoch and the curves go on.
        state = m.state;
        trainer.setPenalties(penalties(m.state));
        break;
      case 'edit':
        edit(m.layer, m.from, m.to, m.value);
        snapshot('edit');
        break;
      case 'compare':
        compare(m.layers, m.activations);
        break;
      case 'play':
        if (!playing) {
          playing = true;
          keepTraining();
        }
        break;
      case 'pause':
        playing = false;
        snapshot('pause');
        break;
      case 'step':
        playing = false;
        if (trainEpoch()) snapshot('epoch');
        break;
      case 'trace':
      case 'apply': {
        playing = false;
        const point = m.point ?? { x: problem.train.x[m.index], y: problem.train.y[m.index] };
        if (!point.x || point.x.length !== net.inputs || point.y.length !== net.outputs) throw new Error(`No such point: ${m.index}`);
        const trace = traceUpdate(net, point.x, point.y, {
          learningRate: state.learningRate,
          apply: m.type === 'apply',
        });
        post({ type: 'trace', index: m.index, ...(m.point ? { point: m.point } : {}), trace });
        if (m.type === 'apply') snapshot('apply');
        break;
      }
    }
  } catch (e) {
    playing = false;
    post({ type: 'error', message: (e as Error).message });
  }
};
