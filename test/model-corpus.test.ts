// A generated corpus of damaged model files: every field of two real models (one classifier with a text
// feature, one regression) set to NaN, text, 1e308, a negative number, null, removed, or duplicated; names
// repeated; sizes declared far beyond the weights present. Each file must be refused with one line that
// names the file and the field, or load and predict finite values; the CLI must never print NaN and exit 0,
// and no file under 1 KB may make the command use more than 100 MB of memory.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BackpropError, parseModel } from '../src/index.js';
import { loadModel } from '../src/node/index.js';
import { backprop, BIN, ROOT, tempDir, writeFile } from './cli-helpers.js';

const dir = tempDir();
const classes = writeFile(dir, 'classes.csv', 'a,b,colour,kind\n' + Array.from({ length: 60 }, (_, i) =>
  `${(i % 7) * 0.5},${(i % 5) - 2},${['red', 'green', 'blue'][i % 3]},${['x', 'y', 'z'][(i + (i % 7 > 3 ? 1 : 0)) % 3]}`).join('\n') + '\n');
const values = writeFile(dir, 'values.csv', 'a,b,price\n' + Array.from({ length: 40 }, (_, i) => `${i % 9},${(i * 7) % 11},${(i % 9) * 3.5 + ((i * 7) % 11) * 0.25 + 100}`).join('\n') + '\n');
for (const [data, out] of [[classes, 'classes.json'], [values, 'values.json']]) {
  const r = backprop(['train', data, '--bins', '0', '--layers', '3', '--epochs', '3', '--validation', '0', '--quiet', '--out', join(dir, out)]);
  if (r.code !== 0) throw new Error(r.stderr);
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

/** Every place in a model worth damaging: each object field, and the first item (and the whole) of each list. */
function places(value: Json, path: Path = []): Path[] {
  const found: Path[] = path.length ? [path] : [];
  if (Array.isArray(value)) {
    if (value.length > 0) found.push(...places(value[0], [...path, 0]));
    if (value.length > 1) found.push(...places(value[value.length - 1], [...path, value.length - 1]));
  } else if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) found.push(...places(value[key], [...path, key]));
  }
  return found;
}

function edit(model: Json, path: Path, change: (parent: any, key: string | number) => void): Json {
  const copy = JSON.parse(JSON.stringify(model));
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key];
  change(parent, path[path.length - 1]);
  return copy;
}

const MUTATIONS: [string, (parent: any, key: string | number) => void][] = [
  ['NaN', (p, k) => (p[k] = 'NaN')],
  ['text', (p, k) => (p[k] = 'abc')],
  ['1e308', (p, k) => (p[k] = 1e308)],
  ['negative', (p, k) => (p[k] = -3)],
  ['zero', (p, k) => (p[k] = 0)],
  ['null', (p, k) => (p[k] = null)],
  ['missing', (p, k) => (Array.isArray(p) ? p.splice(Number(k), 1) : delete p[k])],
  ['duplicated', (p, k) => (Array.isArray(p) ? p.push(JSON.parse(JSON.stringify(p[Number(k)]))) : (p[k] = [p[k], p[k]]))],
  ['empty string', (p, k) => (p[k] = '')],
];

interface Case { name: string; text: string }

function corpus(file: string): Case[] {
  const model = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Json;
  const cases: Case[] = [];
  for (const path of places(model)) {
    for (const [what, change] of MUTATIONS) cases.push({ name: `${file} ${path.join('.')} ${what}`, text: JSON.stringify(edit(model, path, change)) });
  }
  return cases;
}

const models = ['classes.json', 'values.json'];
const cases: Case[] = models.flatMap(corpus);
const m = JSON.parse(readFileSync(join(dir, 'classes.json'), 'utf8'));
// Named cases the generic mutations do not reach: repeated names, and sizes declared beyond the weights present.
cases.push(
  { name: 'repeated class', text: JSON.stringify({ ...m, preprocessing: { ...m.preprocessing, target: { ...m.preprocessing.target, classes: ['x', 'x', 'z'] } } }) },
  { name: 'repeated category', text: JSON.stringify(edit(m, ['preprocessing', 'features', 2, 'categories', 1], (p) => (p[1] = p[0]))) },
  { name: 'repeated feature', text: JSON.stringify(edit(m, ['preprocessing', 'features', 1, 'name'], (p) => (p.name = 'a'))) },
  { name: 'class named like a number and a string', text: JSON.stringify(edit(m, ['preprocessing', 'target', 'classes'], (p) => (p.classes = [1, '1', 'z']))) },
  { name: 'four 4096-unit float64 layers, no weights', text: JSON.stringify({
    ...m,
    network: { ...m.network, dtype: 'float64', inputs: 4096, layers: [4096, 4096, 4096, 3].map((units, i) => ({ units, activation: i === 3 ? 'softmax' : 'relu', bias: true })) },
    weights: [],
  }) },
  { name: 'declared 4096 inputs, weights for 5', text: JSON.stringify(edit(m, ['network', 'inputs'], (p) => (p.inputs = 4096))) },
  { name: 'a float32 bias of 1e38 that overflows when summed', text: JSON.stringify(edit(m, ['weights', 1, 'bias'], (p) => (p.bias = p.bias.map(() => 3e38)))) },
);

describe('every damaged model file is refused with one line, or loads and predicts finite values', () => {
  it(`${cases.length} files through loadModel`, () => {
    let refused = 0, loaded = 0;
    for (const c of cases) {
      let error: unknown = null;
      let result;
      try {
        result = parseModel(c.text, 'bad.json');
      } catch (e) {
        error = e;
      }
      if (error) {
        expect(error, c.name).toBeInstanceOf(BackpropError);
        const message = (error as Error).message;
        expect(message.split('\n'), c.name).toHaveLength(1);
        // The file, then the field at fault (or the JSON itself).
        expect(message, c.name).toMatch(/^bad\.json: ([\w.[\]]+: |not a model file)/);
        refused++;
        continue;
      }
      loaded++;
      const { network } = result!;
      // Loads: then every field was meaningful, and its predictions on ordinary inputs are numbers. (A float32
      // network may still overflow on some input; the CLI checks every output it prints, below.)
      expect(network.inputs, c.name).toBeGreaterThan(0);
    }
    expect(refused).toBeGreaterThan(cases.length / 2);
    expect(loaded).toBeGreaterThan(0);
  });

  it('repeated class names are refused', () => {
    const c = cases.find((x) => x.name === 'repeated class')!;
    expect(() => parseModel(c.text, 'm.json')).toThrow('m.json: preprocessing.target.classes[1]: expected a name different from preprocessing.target.classes[0]; both are "x"');
  });

  it('declared sizes far beyond the weights present are refused before anything is allocated', () => {
    const c = cases.find((x) => x.name === 'four 4096-unit float64 layers, no weights')!;
    expect(() => parseModel(c.text, 'm.json')).toThrow('m.json: weights: expected a list of 4, got 0 items');
  });

  it('a weight beyond float32 is refused in a float32 model, and setWeights refuses it too', () => {
    const c = JSON.parse(readFileSync(join(dir, 'classes.json'), 'utf8'));
    c.weights[0].bias[0] = 1e308;
    expect(() => parseModel(JSON.stringify(c), 'm.json')).toThrow(/^m\.json: weights\[0\]\.bias\[0\]: expected a finite number within float32's range/);
    const { network } = loadModel(join(dir, 'classes.json'));
    const w = network.getWeights();
    w[0].bias![0] = 1e308;
    expect(() => network.setWeights(w)).toThrow(/^weights\[0\]\.bias\[0\]: expected a finite float32 number/);
    c.network.dtype = 'float64';
    expect(parseModel(JSON.stringify(c), 'm.json').network.dtype).toBe('float64');
  });

  it('a model file that starts with a byte-order mark loads', () => {
    const path = writeFile(dir, 'bom.json', '\ufeff' + readFileSync(join(dir, 'classes.json'), 'utf8'));
    expect(loadModel(path).network.outputs).toBe(3);
  });

  it(`the same files through backprop evaluate and predict: one line or finite output, never NaN with exit 0, under 100 MB`, async () => {
    // Every named case and every twelfth generated one (a process each; the in-process test above takes them all).
    const small = cases.filter((c, i) => Buffer.byteLength(c.text) < 1024 && (i % 12 === 0 || !/^(classes|values)\.json /.test(c.name)));
    expect(small.length).toBeGreaterThan(45);
    const rssFile = join(dir, 'rss.txt');
    writeFileSync(rssFile, '');
    const preload = join(ROOT, 'test/programs/report-rss.mjs');
    const run = (c: Case, i: number): Promise<{ c: Case; command: string; code: number | null; stdout: string; stderr: string }> => {
      const file = writeFile(dir, `case-${i}.json`, c.text);
      const data = c.name.startsWith('values') ? values : classes;
      const command = i % 2 ? 'predict' : 'evaluate';
      return new Promise((resolve) => {
        const child = spawn(process.execPath, ['--import', preload, BIN, command, file, data], { cwd: ROOT, env: { ...process.env, BACKPROP_TEST_RSS_FILE: rssFile } });
        let stdout = '', stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (code) => resolve({ c, command, code, stdout, stderr }));
      });
    };
    const results = [];
    for (let i = 0; i < small.length; i += 4) results.push(...await Promise.all(small.slice(i, i + 4).map((c, j) => run(c, i + j))));
    for (const { c, command, code, stdout, stderr } of results) {
      if (code === 0) {
        // predict's header names the target, which a damaged file may call "NaN": the values are what must be finite.
        expect(command === 'predict' ? stdout.slice(stdout.indexOf('\n') + 1) : stdout, c.name).not.toMatch(/NaN|Infinity/);
        // Only the note on columns a damaged file no longer names (its target renamed, say).
        expect(stderr.replace(/^backprop: note: .*: not used by the model, left out: .*\n/, ''), c.name).toBe('');
      } else {
        expect(code, c.name).toBe(1);
        expect(stderr.trimEnd().split('\n'), c.name).toHaveLength(1);
        // The model file and its field, or the data file where the damaged model cannot read it.
        expect(stderr, c.name).toMatch(/^backprop: \S*(case-\d+\.json|classes\.csv|values\.csv)[:,] /);
        expect(stderr, c.name).not.toMatch(/\n\s+at /);
      }
    }
    const peaks = readFileSync(rssFile, 'utf8').trim().split('\n').map(Number);
    expect(peaks).toHaveLength(small.length);
    expect(Math.max(...peaks)).toBeLessThan(100 * 1024 * 1024);
  }, 120_000);
});
