// Names from outside never become code: every generator (the standalone module and its .d.ts, `backprop export`,
// the page's "copy as code", ONNX, TensorFlow.js) is fed a corpus of hostile names as module, feature, category,
// class, target and file names; each output is imported and run (or loaded by its own runtime), the sentinel
// global stays unset, and the predictions are the library's. (The SVG writers are tested in plot.test.ts, in Chromium.)
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { jsComment, jsLiteral, markupText, shellWord } from '../src/core/escape.js';
import { encodeRecord, train, type Model } from '../src/index.js';
import { exportONNX, exportStandalone, exportTFJS, importONNX, importTFJS } from '../src/interop/index.js';
import { decodeModel } from '../src/interop/onnx-schema.js';
import { exportCommand, importCommand } from '../src/cli/interop.js';
import { codeFor } from '../playground/src/export.js';
import { makeProblem } from '../playground/src/problem.js';
import { parseState } from '../playground/src/state.js';
import { parseSource, readTable, setTable } from '../playground/src/tables.js';
import type { App } from '../playground/src/app.js';
import { HOSTILE, HOSTILE_NAMES } from './hostile-names.js';
import { ROOT, tempDir } from './cli-helpers.js';

const dir = tempDir();
const pwned = (): unknown => (globalThis as { PWNED?: unknown }).PWNED;
// Each test starts with the sentinel unset, whatever the one before it let run.
afterEach(() => {
  const was = pwned();
  delete (globalThis as { PWNED?: unknown }).PWNED;
  expect(was).toBeUndefined();
});

let imported = 0;
/** Imports generated module text from a file of its own, as a user's bundler or Node would. */
async function importText<T>(js: string): Promise<T> {
  const path = join(dir, `module-${++imported}.mjs`);
  writeFileSync(path, js);
  return await import(pathToFileURL(path).href) as T;
}

/** Seeded rows: a numeric column per hostile name, a text column whose values are the hostile names, and targets. */
function hostileRows(n: number): Record<string, string | number>[] {
  let s = 99;
  const random = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
  return Array.from({ length: n }, (_, i) => {
    const row: Record<string, string | number> = {};
    let sum = 0;
    HOSTILE_NAMES.forEach((name, j) => {
      const v = Number((random() * 2 - 1).toFixed(3));
      row[name] = v;
      sum += v * ((j % 3) - 1);
    });
    row[TEXT] = HOSTILE_NAMES[i % HOSTILE_NAMES.length];
    row[CLASS] = HOSTILE_NAMES[(i + (sum > 0 ? 1 : 0)) % 4 * 5];
    row[VALUE_A] = 10 * sum + 3;
    row[VALUE_B] = -sum;
    return row;
  });
}
// The text column, the class target and the two regression targets: hostile names of their own.
const TEXT = `${HOSTILE_NAMES[0]} (text)`, CLASS = `${HOSTILE_NAMES[4]} (class)`;
const VALUE_A = `${HOSTILE_NAMES[8]} (a)`, VALUE_B = `${HOSTILE_NAMES[9]} (b)`;
const rows = hostileRows(120);
const features = (extra: string[]): Record<string, string | number>[] => rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !extra.includes(k))));
let models: Promise<{ classifier: Model; regression: Model }> | null = null;
/** A classifier (the hostile names as classes) and a two-target regression, both reading every hostile column. */
function trained(): Promise<{ classifier: Model; regression: Model }> {
  models ??= (async () => ({
    classifier: await train(features([VALUE_A, VALUE_B]), { target: CLASS, epochs: 3, layers: [8], seed: 1 }) as Model,
    regression: await train(features([CLASS]), { target: [VALUE_A, VALUE_B], epochs: 3, layers: [8], seed: 2 }) as Model,
  }))();
  return models;
}

describe('the escaping functions', () => {
  it('jsLiteral gives a literal that JavaScript and JSON read back as the same text, with nothing that ends a line, a comment or a script', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
      const literal = jsLiteral(text);
      expect(JSON.parse(literal)).toBe(text);
      expect(new Function(`return ${literal}`)()).toBe(text);
      expect(literal).not.toMatch(/[\n\r\u2028\u2029<\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|\*\//);
      // Inside a comment of either kind, with code after it: the code still runs and nothing else does.
      expect(new Function(`// ${jsComment(text)}\n/* ${jsComment(text)} */ return 7`)()).toBe(7);
    }), { numRuns: 300 });
    // A plain name reads as itself.
    expect(jsLiteral('sepal_length')).toBe('"sepal_length"');
    expect(jsComment('iris.csv')).toBe('iris.csv');
    expect(jsLiteral(['a', 1, { b: 'c' }])).toBe('["a",1,{"b":"c"}]');
    expect(jsComment('x'.repeat(300))).toBe('x'.repeat(200) + '…');
    // A bidirectional override stays in the text but is written as an escape, so the line reads as it runs.
    expect(jsLiteral('a\u202eb\u2066c')).toBe('"a\\u202eb\\u2066c"');
    expect(jsComment('x\u202e;y')).toBe('x\\u202e;y');
  }, 30_000);

  it('markupText leaves no tag, no entity and no character XML refuses', () => {
    const decode = (s: string): string => s.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!);
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
      const m = markupText(text);
      expect(m).not.toMatch(/[<>"']|&(?!(amp|lt|gt|quot|#39);)/);
      // XML 1.0's Char production, as a test of its own.
      for (const c of m) {
        const p = c.codePointAt(0)!;
        expect(p === 9 || p === 10 || p === 13 || (p >= 0x20 && p <= 0xd7ff) || (p >= 0xe000 && p <= 0xfffd) || p >= 0x10000).toBe(true);
      }
      expect(decode(m)).toBe(text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));
    }), { numRuns: 300 });
    expect(markupText('petal width (cm)')).toBe('petal width (cm)');
  }, 30_000);

  it('shellWord gives one word that the shell reads back as the same text, running nothing', () => {
    const dir = tempDir();
    // What /bin/sh makes of the word: printf prints its one argument; a word that split or ran something would not
    // come back whole (or would leave the file behind).
    const echoed = (text: string): string => spawnSync('/bin/sh', ['-c', `printf '%s|' ${shellWord(text)}`], { cwd: dir, encoding: 'utf8' }).stdout;
    // Arguments cannot hold NUL, and the shell reads UTF-8: lone surrogates have no bytes to pass.
    const passable = (t: string): boolean => !t.includes('\u0000') && t === Buffer.from(t, 'utf8').toString('utf8');
    const texts = [...HOSTILE.map(([, name]) => name), `$(touch pwned)`, '`touch pwned`', 'a b', '-x', '', "it's", '~', '*', 'a;touch pwned']
      .filter(passable);
    for (const t of texts) expect(echoed(t), JSON.stringify(t)).toBe(`${t}|`);
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 20 }).filter(passable), (t) => {
      expect(echoed(t)).toBe(`${t}|`);
    }), { numRuns: 30 });
    expect(readdirSync(dir)).toEqual([]);
    // A plain name reads as itself.
    expect(shellWord('species')).toBe('species');
    expect(shellWord('petal width')).toBe("'petal width'");
  }, 60_000);
});

describe('the standalone module', () => {
  it.each(['classifier', 'regression'] as const)('%s: every hostile name as module name, with hostile features, categories, classes and targets: imported and run, nothing runs, it predicts as the model', async (kind) => {
    const model = (await trained())[kind];
    const expected = model.predict(rows.slice(0, 12));
    for (const name of HOSTILE_NAMES) {
      const { js, dts } = exportStandalone(model, name);
      // No raw line terminator but the module's own, and no bidirectional control that would make a line read otherwise.
      expect(js + dts).not.toMatch(/[\r\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
      const module = await importText<{ predict(row: object): { label?: unknown; probabilities?: number[]; value?: number; values?: number[] }; features: { name: string }[]; classes?: unknown[]; targets?: string[] }>(js);
      expect(pwned()).toBeUndefined();
      expect(module.features.map((f) => f.name)).toEqual(model.features);
      if (kind === 'classifier') expect(module.classes).toEqual(model.classes);
      else expect(module.targets).toEqual([VALUE_A, VALUE_B]);
      rows.slice(0, 12).forEach((row, i) => {
        const p = module.predict(row), e = expected[i];
        if (e.label !== undefined) {
          expect(p.label).toBe(e.label);
          model.classes!.forEach((c, k) => expect(Math.abs(p.probabilities![k] - e.probabilities[String(c)])).toBeLessThan(1e-6));
        } else {
          // The library runs in float32 and the module in float64; a value is the output times the target's std
          // (about 30 for VALUE_A), so the float32 rounding of the default's five averaged networks shows at 1e-6.
          expect(Math.abs(p.values![0] - e.values[VALUE_A])).toBeLessThan(1e-5 * Math.max(1, Math.abs(e.values[VALUE_A])));
          expect(Math.abs(p.values![1] - e.values[VALUE_B])).toBeLessThan(1e-5 * Math.max(1, Math.abs(e.values[VALUE_B])));
        }
      });
      // Its messages start with the module's name, exactly, and a bad value runs nothing either (a missing one is filled).
      expect(() => module.predict({ [model.features[0]]: 'x' })).toThrow(new Error(`${name}: the feature "${model.features[0]}" expects a number, got "x"`));
      expect(pwned()).toBeUndefined();
    }
    // A plain name still reads as a plain comment and string.
    const plain = exportStandalone(model, 'iris').js;
    expect(plain.startsWith('// iris: a multilayer perceptron')).toBe(true);
    expect(plain).toContain('const moduleName = "iris";');
  }, 60_000);

  it('its .d.ts files pass tsc with every hostile name, and type a row keyed by the real names', async () => {
    const { classifier, regression } = await trained();
    const types = join(dir, 'types');
    mkdirSync(types, { recursive: true });
    const files: string[] = [];
    for (const [kind, model] of [['classifier', classifier], ['regression', regression]] as const) {
      HOSTILE_NAMES.forEach((name, i) => {
        writeFileSync(join(types, `${kind}-${i}.d.ts`), exportStandalone(model, name).dts);
        files.push(`${kind}-${i}.d.ts`);
      });
      // A user's file: a row with every feature by its name (JSON.stringify's keys: the test's own quoting).
      const row = model.preprocessing.features.map((f) => `${JSON.stringify(f.name)}: ${f.type === 'numeric' ? '0.5' : f.type === 'categorical' ? JSON.stringify(f.categories[3]) : '"2024-03-15"'}`).join(', ');
      writeFileSync(join(types, `use-${kind}.ts`), `import { predict, type Features } from './${kind}-0.js';\nconst row: Features = { ${row} };\n`
        + (kind === 'classifier' ? `const label: ${classifier.classes!.map((c) => JSON.stringify(c)).join(' | ')} = predict(row).label;\nexport { label };\n` : 'export const value: number = predict(row).values[1];\n'));
      files.push(`use-${kind}.ts`);
    }
    writeFileSync(join(types, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: 'preserve', moduleResolution: 'bundler', target: 'es2022', skipLibCheck: false, types: [] }, files }));
    const r = spawnSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', join(types, 'tsconfig.json')], { encoding: 'utf8', timeout: 60_000 });
    expect((r.stdout + r.stderr).trim()).toBe('');
    expect(r.status).toBe(0);
  }, 60_000);

  it('backprop export --to js with a hostile model file name (the report\'s case) writes a module that runs nothing', async () => {
    const { classifier } = await trained();
    const folder = join(dir, 'cli-export');
    mkdirSync(folder);
    const safe = HOSTILE_NAMES.filter((n) => !/[/\0]/.test(n) && n.length < 200);
    for (const stem of ['m${(globalThis.PWNED="x")}', ...safe]) {
      const path = join(folder, `${stem}.json`);
      writeFileSync(path, JSON.stringify(classifier.toJSON()));
      const out: string[] = [];
      exportCommand(path, { to: 'js' }, { write: (s: string) => out.push(s) } as unknown as NodeJS.WritableStream);
      const module = await import(pathToFileURL(join(folder, `${stem}.js`)).href) as { predict(row: object): { label: unknown } };
      expect(() => module.predict({ [classifier.features[0]]: 'x' })).toThrow(`${stem}: the feature`);
      expect(module.predict(rows[0]).label).toBe(classifier.predict([rows[0]])[0].label);
      expect(pwned()).toBeUndefined();
    }
  }, 60_000);
});

describe('ONNX and TensorFlow.js', () => {
  it.each(['classifier', 'regression'] as const)('%s: the ONNX export with hostile names loads in onnxruntime, agrees with the model, and reads back the same', async (kind) => {
    const model = (await trained())[kind];
    const bytes = exportONNX(model);
    const session = await ort.InferenceSession.create(bytes);
    // onnxruntime-node passes a string tensor's values to C as C strings, which end at a NUL: that value cannot be fed.
    const some = rows.filter((r) => !String(r[TEXT]).includes('\0')).slice(0, 30);
    // One input per column, by its name; a NUL or a lone surrogate, which an ONNX name cannot hold, reads U+FFFD.
    expect(session.inputNames).toEqual(model.features.map((n) => n.replace(/\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')));
    const feeds = Object.fromEntries(model.preprocessing.features.map((f, j) => [session.inputNames[j], f.type === 'numeric'
      ? new ort.Tensor('float32', Float32Array.from(some.map((r) => r[f.name] as number)), [some.length, 1])
      : new ort.Tensor('string', some.map((r) => String(r[f.name])), [some.length, 1])]));
    const out = await session.run(feeds);
    const expected = model.predict(some);
    if (kind === 'classifier') {
      // Features named "probabilities" and "label" keep their names; the outputs step aside.
      expect(session.outputNames).toEqual(['probabilities_2', 'label_2']);
      const p = out.probabilities_2.data as Float32Array, labels = out.label_2.data as string[];
      expected.forEach((e, i) => {
        expect(labels[i]).toBe(String(e.label));
        model.classes!.forEach((c, k) => expect(Math.abs(p[i * model.classes!.length + k] - e.probabilities![String(c)])).toBeLessThan(1e-5));
      });
    } else {
      expect(session.outputNames).toEqual(['value']);
      const v = out.value.data as Float32Array;
      expected.forEach((e, i) => expect(Math.abs(v[i * 2] - e.values![VALUE_A])).toBeLessThan(1e-4 * Math.max(1, Math.abs(e.values![VALUE_A]))));
    }
    // The description names every column as a literal, on one line; the import reads back the same model.
    const doc = decodeModel(bytes).doc_string!;
    expect(doc).not.toMatch(/[\n\r\u2028\u2029]/);
    expect(doc).toContain(jsLiteral(model.features[0]));
    expect(importONNX(bytes).preprocessing).toEqual(model.toJSON().preprocessing);
  }, 60_000);

  it('a plain model\'s ONNX description reads plainly', async () => {
    const model = await train([{ a: 1, colour: 'red', kind: 'x' }, { a: 2, colour: 'blue', kind: 'y' }, { a: 3, colour: 'red', kind: 'x' }, { a: 4, colour: 'blue', kind: 'y' }], { target: 'kind', epochs: 1, validation: 0 }) as Model;
    const session = await ort.InferenceSession.create(exportONNX(model));
    expect(session.outputNames).toEqual(['probabilities', 'label']);
    expect(decodeModel(exportONNX(model)).doc_string).toBe('A multilayer perceptron trained with backprop. Inputs: "a" (number, NaN where missing), "colour" (text: "blue" | "red"). Outputs: "probabilities", the probabilities of "x", "y"; "label", the class.');
  }, 60_000);

  it('the TensorFlow.js export with hostile names loads in tf.loadLayersModel, predicts as the network, and reads back the same', async () => {
    const { classifier } = await trained();
    const { modelJSON, weights } = exportTFJS(classifier);
    const loaded = await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: modelJSON.modelTopology as tf.io.ModelJSON['modelTopology'],
      weightSpecs: modelJSON.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[],
      weightData: weights.slice().buffer,
    }));
    const features = classifier.preprocessing.features;
    const x = rows.slice(0, 10).map((r) => encodeRecord(classifier.preprocessing, features.map((f) => r[f.name])));
    const theirs = await (loaded.predict(tf.tensor2d(x)) as tf.Tensor).array() as number[][];
    const ours = classifier.network.predict(x);
    theirs.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - ours.data[i * ours.cols + j])).toBeLessThan(1e-5)));
    expect(importTFJS(modelJSON, weights).preprocessing).toEqual(classifier.toJSON().preprocessing);
    expect(pwned()).toBeUndefined();
  }, 60_000);

  it('backprop export --to tfjs names the weights file so that a URL cannot misread it, and imports back', async () => {
    const { classifier } = await trained();
    const folder = join(dir, 'tfjs-out');
    mkdirSync(folder);
    const model = join(folder, 'model.json');
    writeFileSync(model, JSON.stringify(classifier.toJSON()));
    const out = join(folder, 'w#1?x%41 \\ é\n.json');
    exportCommand(model, { to: 'tfjs', out, quiet: true }, process.stdout);
    const json = JSON.parse(readFileSync(out, 'utf8')) as { weightsManifest: { paths: string[] }[] };
    expect(json.weightsManifest[0].paths).toEqual(['w_1_x_41 _ é_.weights.bin']);
    expect(readdirSync(folder)).toContain('w_1_x_41 _ é_.weights.bin');
    importCommand(out, { out: join(folder, 'back.json'), quiet: true }, process.stdout);
    expect(JSON.parse(readFileSync(join(folder, 'back.json'), 'utf8')).preprocessing).toEqual(classifier.toJSON().preprocessing);
  }, 60_000);
});

describe('the page\'s copy as code', () => {
  it('with every hostile name as the file\'s name and the target\'s, the code runs in Node, runs nothing else, reads the file by its exact name and trains', async () => {
    const { transformSync } = await import('rolldown/experimental');
    // 'backprop' is this build; 'backprop/node' and node:fs are stand-ins that check the names the code passes.
    const shim = join(dir, 'shim.mjs');
    writeFileSync(shim, `import { readTable as real } from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist/node/index.js')).href)};
export const readTable = (name) => { globalThis.READ.push(name); return real(globalThis.CSV_PATH); };
export const writeFileSync = (name, text) => { globalThis.WROTE.push([name, text.length]); };\n`);
    const g = globalThis as unknown as { READ: string[]; WROTE: [string, number][]; CSV_PATH: string };
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      // A CSV cannot hold a NUL (the reader refuses the file), so that name cannot arrive this way.
      for (const [what, name] of HOSTILE.filter(([, n]) => !n.includes('\0'))) {
        // The hostile name is the target, the last column, as a quoted CSV header; the file is named by it too.
        const header = `a,b,"${name.replaceAll('"', '""')}"`;
        const csv = [header, ...Array.from({ length: 40 }, (_, i) => `${(i % 7) / 7},${(i % 5) / 5},${i % 2 ? 'yes' : 'no'}`)].join('\n') + '\n';
        const file = `${name}.csv`;
        setTable('upload', readTable(await parseSource(file, csv)));
        const state = { ...parseState('?layers=3'), dataset: 'upload' as const };
        const app = { state, problem: makeProblem(state), snapshot: null } as unknown as App;
        const code = codeFor(app);
        const js = transformSync('code.ts', code).code
          .replace(/from ["']backprop["']/g, `from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist/index.js')).href)}`)
          .replace(/from ["'](backprop\/node|node:fs)["']/g, `from ${JSON.stringify(pathToFileURL(shim).href)}`);
        g.CSV_PATH = join(dir, `copy-${imported}.csv`);
        writeFileSync(g.CSV_PATH, csv);
        g.READ = [];
        g.WROTE = [];
        log.mockClear();
        await importText(js);
        expect(pwned(), what).toBeUndefined();
        expect(g.READ, what).toEqual([file]);
        expect(g.WROTE.length, what).toBe(1);
        // It ran to the end: the evaluation printed, the model written.
        expect(log.mock.calls.length, what).toBe(1);
      }
    } finally {
      log.mockRestore();
      setTable('upload', null);
    }
    // A plain file and target read as themselves.
    setTable('upload', readTable(await parseSource('shop.csv', 'a,b,kind\n1,2,x\n2,3,y\n3,1,x\n4,2,y\n')));
    const state = { ...parseState(''), dataset: 'upload' as const };
    const plain = codeFor({ state, problem: makeProblem(state), snapshot: null } as unknown as App);
    setTable('upload', null);
    expect(plain).toContain('// The playground\'s network on shop.csv, rebuilt');
    expect(plain).toContain('const frame = toFrame(await readTable("shop.csv"));\n// The target "kind";');
  }, 120_000);
});
