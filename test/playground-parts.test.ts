// The playground's parts that need no browser: the label placer, the URL state's new fields, the
// Regenerate and ⟲ seeds, the multigauss regression data set, exercise mode's judge and the URL's replaced values.
import { describe, expect, it } from 'vitest';
import { fit, generate, multigauss, Network, Random, toRows } from '../src/index.js';
import { intersects, placeLabels, type Box } from '../playground/src/labels.js';
import { dataSeed, FEATURES, makeProblem, networkSpec, weightSeed } from '../playground/src/problem.js';
import { DEFAULTS, parseState, readState, serializeState } from '../playground/src/state.js';
import { accepts, significant } from '../playground/src/answers.js';
import { MAX_INPUTS, MAX_ROWS, parseSource, readTable, setTable } from '../playground/src/tables.js';
import { lossText } from '../playground/src/draw.js';

describe('label placement', () => {
  it('places random labels among random obstacles with no two boxes meeting, and each on one of its candidates', () => {
    const random = new Random(5);
    for (let trial = 0; trial < 50; trial++) {
      const obstacles: Box[] = Array.from({ length: 10 }, () => ({ x: random.uniform(0, 400), y: random.uniform(0, 300), width: 36, height: 36 }));
      const requests = Array.from({ length: 40 }, () => {
        const x = random.uniform(0, 400), y = random.uniform(0, 300);
        return { width: random.uniform(20, 60), height: 12, candidates: [{ x, y }, { x: x + 40, y }, { x, y: y + 20 }, { x: x - 40, y: y - 20 }] };
      });
      const bounds = { x: 0, y: 0, width: 460, height: 340 };
      const boxes = placeLabels(requests, obstacles, bounds);
      const placed = boxes.filter((b): b is Box => b !== null);
      expect(placed.length).toBeGreaterThan(5);
      for (let i = 0; i < placed.length; i++) {
        expect(obstacles.some((o) => intersects(placed[i], o))).toBe(false);
        for (let j = i + 1; j < placed.length; j++) expect(intersects(placed[i], placed[j])).toBe(false);
        expect(placed[i].x + placed[i].width).toBeLessThanOrEqual(460);
      }
      boxes.forEach((b, k) => {
        if (b) expect(requests[k].candidates).toContainEqual({ x: b.x, y: b.y });
        // A label left off had no free candidate.
        else for (const c of requests[k].candidates) {
          const box = { ...c, width: requests[k].width, height: requests[k].height };
          const free = c.x >= 0 && c.y >= 0 && c.x + box.width <= 460 && c.y + box.height <= 340
            && !obstacles.some((o) => intersects(box, o, 1)) && !placed.some((p) => intersects(box, p, 1));
          expect(free).toBe(false);
        }
      });
    }
  });

  it('prefers the first free candidate', () => {
    const [a, b] = placeLabels([
      { width: 10, height: 10, candidates: [{ x: 0, y: 0 }, { x: 50, y: 0 }] },
      { width: 10, height: 10, candidates: [{ x: 5, y: 5 }, { x: 30, y: 0 }] },
    ], [], { x: 0, y: 0, width: 100, height: 100 });
    expect(a).toEqual({ x: 0, y: 0, width: 10, height: 10 });
    expect(b).toEqual({ x: 30, y: 0, width: 10, height: 10 });
  });
});

describe('playground state', () => {
  it('keeps Regenerate, show-test-data and discretize in the URL', () => {
    const s = { ...DEFAULTS, dataset: 'multigauss' as const, regenerate: 3, showTestData: true, discretize: true };
    expect(parseState(serializeState(s))).toEqual(s);
    expect(serializeState(DEFAULTS)).not.toMatch(/regenerate|showTestData|discretize/);
  });

  it('Regenerate draws new points with the same weights; ⟲ new weights on the same points', () => {
    const base = parseState('?seed=4');
    const again = { ...base, regenerate: 1 };
    expect(dataSeed(again)).not.toBe(dataSeed(base));
    expect(weightSeed(again)).toBe(weightSeed(base));
    expect(makeProblem(again).train.points).not.toEqual(makeProblem(base).train.points);
    const restarted = { ...base, restart: 1 };
    expect(makeProblem(restarted).train.points).toEqual(makeProblem(base).train.points);
    expect(weightSeed(restarted)).not.toBe(weightSeed(base));
  });
});

describe('features', () => {
  it('each feature\'s code (what "copy as code" writes) computes what the page computes', () => {
    const random = new Random(4);
    for (const [name, feature] of Object.entries(FEATURES)) {
      const code = new Function('x1', 'x2', `return ${feature.code};`) as (a: number, b: number) => number;
      for (let i = 0; i < 50; i++) {
        const [a, b] = [random.next() * 12 - 6, random.next() * 12 - 6];
        expect(code(a, b), name).toBe(feature.f(a, b));
      }
    }
  });
});

describe('multigauss', () => {
  it('targets are the sum of six signed Gaussian bumps at each point, and it is a regression task', () => {
    const data = generate('multigauss', { samples: 300, seed: 2 });
    expect(data.task).toBe('regression');
    data.x.forEach(([x1, x2], i) => {
      // Independent of the module's own function: the bumps written out here.
      const bumps = [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]];
      const expected = bumps.reduce((s, [cx, cy, sign]) => s + sign * Math.exp(-((x1 - cx) ** 2 + (x2 - cy) ** 2) / (2 * 1.6 ** 2)), 0);
      expect(data.y[i][0]).toBeCloseTo(expected, 12);
      expect(Math.abs(x1)).toBeLessThanOrEqual(6);
    });
    expect(multigauss(4, 2.5)).toBeGreaterThan(0.9);
    expect(multigauss(0, 2.5)).toBeLessThan(-0.9);
  });

  it('a small network learns it in the playground\'s features', () => {
    const state = parseState('?dataset=multigauss&layers=8,8&activation=tanh&features=x1,x2,sinx1,sinx2');
    const problem = makeProblem(state);
    expect(problem.task).toBe('regression');
    const net = new Network(networkSpec(state, problem.task));
    const variance = (() => {
      const ys = problem.test.y.map((r) => r[0]);
      const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
      return ys.reduce((a, b) => a + (b - mean) ** 2, 0) / ys.length;
    })();
    fit(net, problem.train.x, problem.train.y, { epochs: 300, batchSize: 10, learningRate: 0.01, optimizer: 'adam', seed: 1 });
    const predictions = toRows(net.predict(problem.test.x));
    const mse = problem.test.y.reduce((s, [y], i) => s + (y - predictions[i][0]) ** 2, 0) / problem.test.y.length;
    // R² = 1 − MSE / variance: the surface is learned, not just its mean.
    expect(1 - mse / variance).toBeGreaterThan(0.8);
  });
});

describe('exercise mode\'s judge', () => {
  // δᵒ of the seeds' worked example: (1 − ŷ)ŷ(1 − ŷ) with ŷ = σ(0.1·σ(−0.02)).
  const s = (h: number): number => 1 / (1 + Math.exp(-h));
  const yHat = s(0.1 * s(-0.02));
  const delta = (1 - yHat) * yHat * (1 - yHat);
  it('takes the value to the page\'s four digits, or rounded to two or three, and the text\'s own rounding in a lesson', () => {
    expect(accepts(Number(delta.toPrecision(4)).toString(), delta)).toBe(true);
    expect(accepts(delta.toPrecision(3), delta)).toBe(true);
    expect(accepts(delta.toPrecision(2), delta)).toBe(true);
    expect(accepts(' 0.1218 ', delta)).toBe(true);
    // Off by two units in the fourth digit, or by one in the third; a single digit; not a number.
    expect(accepts((Number(delta.toPrecision(4)) + 0.0002).toString(), delta)).toBe(false);
    expect(accepts('0.123', delta)).toBe(false);
    expect(accepts('0.1', delta)).toBe(false);
    expect(accepts('', delta)).toBe(false);
    expect(accepts('abc', delta)).toBe(false);
    // δʰ = 0.003046 is printed 0.003 by the text: right in the lesson, one digit short elsewhere.
    expect(accepts('0.003', 0.0030455, '0.003')).toBe(true);
    expect(accepts('0.003', 0.0030455)).toBe(false);
    expect(accepts('−0.02', -0.02)).toBe(true);
    expect(accepts('0', 0)).toBe(true);
    expect(significant('0.00045')).toBe(2);
    expect(significant('-1.50')).toBe(3);
  });
});

describe('the URL\'s values', () => {
  it('says which values it replaced, and a lesson\'s link sets the lesson\'s network', () => {
    const { state, replaced } = readState('?seed=99999999999&layers=9,0&learningRate=-1&loss=hinge&noise=0.33');
    expect(state.seed).toBe(DEFAULTS.seed);
    expect(state.noise).toBe(0.35);
    expect(replaced.map((r) => r.split('=')[0])).toEqual(['layers', 'learningRate', 'loss', 'seed']);
    expect(readState('?learningRate=0.37').state.learningRate).toBe(0.37);
    const lesson = readState('?lesson=seed-example&layers=3,3&learningRate=0.2').state;
    expect(lesson).toMatchObject({ lesson: 'seed-example', layers: [1], activation: 'sigmoid', loss: 'squared', biases: false, learningRate: 0.2 });
    expect(readState(serializeState(lesson)).state).toEqual(lesson);
    const spec = networkSpec(lesson, makeProblem(lesson).task);
    expect(spec).toMatchObject({ inputs: 2, loss: 'mse', dtype: 'float64' });
    expect(spec.layers.every((l) => l.bias === false && l.activation === 'sigmoid')).toBe(true);
  });
});

describe('the page\'s tables and numbers', () => {
  it('takes a file of 50,000 rows and refuses one more, saying the limit in one line', async () => {
    const csv = (n: number): string => ['x,y', ...Array.from({ length: n }, (_, i) => `${i % 97},${i % 2 ? 'a' : 'b'}`)].join('\n') + '\n';
    expect(readTable(await parseSource('ok.csv', csv(MAX_ROWS))).frame.rows).toBe(MAX_ROWS);
    const more = await parseSource('big.csv', csv(MAX_ROWS + 1));
    expect(() => readTable(more)).toThrow(`big.csv: ${MAX_ROWS + 1} rows; the playground takes at most ${MAX_ROWS} (backprop train reads larger files)`);
  });

  it('leaves a column of identifiers out, as backprop train does, and refuses a table that still gives more inputs than it can draw', async () => {
    // Each city in three rows: a category, not an identifier.
    const csv = (n: number, per = 3): string => ['city,x,label', ...Array.from({ length: n }, (_, i) => `u${Math.floor(i / per)},${(i % 17) / 17},${i % 2 ? 'a' : 'b'}`)].join('\n') + '\n';
    const state = { ...parseState(''), dataset: 'upload' as const };
    setTable('upload', readTable(await parseSource('cities.csv', csv(3 * (MAX_INPUTS - 1)))));
    expect(makeProblem(state).table!.inputNames.length).toBe(MAX_INPUTS);
    setTable('upload', readTable(await parseSource('cities.csv', csv(6000))));
    expect(() => makeProblem(state)).toThrow(`cities.csv: 2001 inputs after encoding (the text column "city" alone gives 2000, one per distinct value); the playground takes at most ${MAX_INPUTS}`);
    // One value per row: an identifier, left out.
    setTable('upload', readTable(await parseSource('ids.csv', csv(2000, 1))));
    expect(makeProblem(state).table!.inputNames).toEqual(['x']);
    setTable('upload', null);
  });

  it('reads a file with missing values as backprop train does: filled, with the indicator and level inputs named', async () => {
    const rows = Array.from({ length: 60 }, (_, i) => `${i % 7 ? (i % 13) / 13 : ''},${i % 5 ? ['red', 'blue'][i % 2] : 'NA'},${i % 2 ? 'a' : 'b'}`);
    const state = { ...parseState(''), dataset: 'upload' as const };
    setTable('upload', readTable(await parseSource('gaps.csv', ['x,colour,label', ...rows].join('\n') + '\n')));
    const problem = makeProblem(state);
    expect(problem.table!.inputNames).toEqual(['x', 'x (missing)', 'colour=blue', 'colour=red', 'colour (missing)']);
    for (const x of [...problem.train.x, ...problem.test.x]) expect(x.every(Number.isFinite)).toBe(true);
    setTable('upload', null);
  });

  it('shows a loss with three significant digits, however small', () => {
    expect(lossText(0.000123456)).toBe('0.000123');
    expect(lossText(0.5)).toBe('0.5');
    expect(lossText(12.345)).toBe('12.3');
    expect(lossText(1234.5)).toBe('1235');
    expect(lossText(0)).toBe('0');
    expect(lossText(NaN)).toBe('–');
  });
});
