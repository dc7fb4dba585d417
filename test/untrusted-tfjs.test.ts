// Hostile TensorFlow.js files and export targets (issue 21): a model.json from a stranger must never make backprop
// read a file outside the model's folder, block on a FIFO, read a device without end, or multiply what a file
// costs; weights go to layers by full name, as TensorFlow.js gives them; every failure is one `backprop:` line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { closeSync, existsSync, linkSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BIN, ROOT, tempDir } from './cli-helpers.js';
import { modelFromJSON } from '../src/index.js';
import { importTFJS } from '../src/interop/index.js';

// TensorFlow.js's own tests run in its test mode, which keeps its advice to install tfjs-node off the output.
tf.env().set('IS_TEST', true);

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Peak resident memory of the command, bytes. */
  rss: number;
  ms: number;
}

let runs = 0;
/** The built command, with a timeout (a hang fails the test, not the suite) and its peak memory measured. */
function run(args: string[], options: SpawnSyncOptions = {}): Result {
  const rssFile = join(dir, `rss-${runs++}.txt`);
  const start = Date.now();
  const r = spawnSync(process.execPath, ['--import', join(ROOT, 'test/programs/report-rss.mjs'), BIN, ...args], {
    cwd: ROOT, encoding: 'utf8', timeout: 20_000, maxBuffer: 64 * 1024 * 1024, ...options, env: { ...process.env, BACKPROP_TEST_RSS_FILE: rssFile },
  });
  const rss = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8').trim()) : NaN;
  return { code: r.status, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), rss, ms: Date.now() - start };
}

/** Exit code `code` and exactly one line on stderr, `backprop: …`, with no stack and no "internal error". */
function expectOneLine(r: Result, code: number, pattern?: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^backprop: /);
  expect(lines[0]).not.toMatch(/internal error|\bat .*:\d+:\d+/);
  if (pattern) expect(lines[0]).toMatch(pattern);
}

const dense = (name: string, units: number, extra: Record<string, unknown> = {}) => ({ class_name: 'Dense', config: { name, units, activation: 'linear', use_bias: true, ...extra } });

/** A small Sequential: `dense` (2 → 2) and `my_dense` (2 → 2), 12 float32 values (48 bytes) in `paths`. */
function modelJSON(paths: unknown[] = ['weights.bin'], weights?: unknown[], layers?: unknown[]): Record<string, unknown> {
  return {
    format: 'layers-model',
    modelTopology: { class_name: 'Sequential', config: { name: 's', layers: layers ?? [dense('dense', 2, { batch_input_shape: [null, 2] }), dense('my_dense', 2)] } },
    weightsManifest: [{
      paths,
      weights: weights ?? [
        // TensorFlow.js takes these by name, whatever their order: my_dense's come first here.
        { name: 'my_dense/kernel', shape: [2, 2], dtype: 'float32' }, { name: 'my_dense/bias', shape: [2], dtype: 'float32' },
        { name: 'dense/kernel', shape: [2, 2], dtype: 'float32' }, { name: 'dense/bias', shape: [2], dtype: 'float32' },
      ],
    }],
  };
}
const WEIGHTS = Float32Array.from([1, 2, 3, 4, 10, 20, 0.5, -1, 2, 0.25, -3, 5]);
const WEIGHT_BYTES = WEIGHTS.byteLength;

let n = 0;
/** A model folder inside `dir` with model.json (given as text or JSON) and, unless told otherwise, weights.bin. */
function modelFolder(json: unknown, weights: Uint8Array | null = new Uint8Array(WEIGHTS.buffer)): { folder: string; path: string } {
  const folder = join(dir, `m${n++}`, 'model');
  mkdirSync(folder, { recursive: true });
  const path = join(folder, 'model.json');
  writeFileSync(path, typeof json === 'string' ? json : JSON.stringify(json));
  if (weights) writeFileSync(join(folder, 'weights.bin'), weights);
  return { folder, path };
}

describe('a weights manifest reads only files inside the model\'s folder', () => {
  // A "secret" beside the model's folder, exactly as large as the manifest's weights, so that only the path rule stops it.
  const secretText = 'SECRET-0123456789abcdef-ZYXWVUTS-KEY!'.slice(0, WEIGHT_BYTES).padEnd(WEIGHT_BYTES, '#');
  const secret = join(dir, 'secret.bin');
  beforeAll(() => writeFileSync(secret, secretText));

  /** Refused: one line naming the manifest entry, nothing written, and the secret's bytes in no output. */
  function expectRefused(r: Result, out: string, why: RegExp): void {
    expectOneLine(r, 1, why);
    expect(r.stderr).toMatch(/weightsManifest\[0\]\.paths\[0\]/);
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
    // Not the text, nor its bytes read as float32 weights (as a model file would print them).
    const floats = Array.from(new Float32Array(Uint8Array.from(Buffer.from(secretText)).buffer)).filter((v) => Math.abs(v) > 1e-30).map(String);
    expect(floats.length).toBeGreaterThan(4);
    for (const text of [r.stdout, r.stderr]) {
      expect(text).not.toContain('SECRET');
      for (const v of floats) expect(text).not.toContain(v);
    }
  }

  it('"../secret.bin" sized to the file is refused', () => {
    const { path, folder } = modelFolder(modelJSON(['../../secret.bin']), null);
    const out = join(folder, 'out.json');
    expectRefused(run(['import', path, '--out', out]), out, /"\.\.\/\.\.\/secret\.bin": a path with "\.\."/);
  });

  it('"." (the folder itself) is refused as such, not as a link outside it', () => {
    for (const p of ['.', './']) {
      const { path, folder } = modelFolder(modelJSON([p]), null);
      const out = join(folder, 'out.json');
      expectRefused(run(['import', path, '--out', out]), out, /names the model's folder itself; expected a file inside it/);
    }
  }, 30_000);

  it('an absolute path is refused (the secret, /etc/passwd)', () => {
    for (const p of [secret, '/etc/passwd', '/proc/self/environ']) {
      const { path, folder } = modelFolder(modelJSON([p]), null);
      const out = join(folder, 'out.json');
      expectRefused(run(['import', path, '--out', out]), out, /an absolute path/);
    }
  }, 30_000);

  it('a symlink in the folder that points outside it is refused; one that stays inside is followed', () => {
    const { path, folder } = modelFolder(modelJSON(['link.bin']), null);
    symlinkSync(secret, join(folder, 'link.bin'));
    const out = join(folder, 'out.json');
    expectRefused(run(['import', path, '--out', out]), out, /symbolic link to a file outside/);

    const inside = modelFolder(modelJSON(['sub/link.bin']));
    mkdirSync(join(inside.folder, 'sub'));
    symlinkSync('../weights.bin', join(inside.folder, 'sub/link.bin'));
    const ok = run(['import', inside.path, '--out', join(inside.folder, 'ok.json'), '--quiet']);
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('a FIFO and a device in paths are refused at once, without being opened', () => {
    const { path, folder } = modelFolder(modelJSON(['pipe']), null);
    expect(spawnSync('mkfifo', [join(folder, 'pipe')]).status).toBe(0);
    const fifo = run(['import', path, '--out', '-'], { timeout: 25_000 });
    expectOneLine(fifo, 1, /paths\[0\] "pipe": is a FIFO; expected a regular file/);

    const zero = modelFolder(modelJSON(['zero']), null);
    symlinkSync('/dev/zero', join(zero.folder, 'zero'));
    const z = run(['import', zero.path, '--out', '-'], { timeout: 25_000 });
    expectOneLine(z, 1, /paths\[0\] "zero": a symbolic link to a file outside/);
    expect(z.rss).toBeLessThan(400 * 1024 ** 2);
  }, 60_000);

  it('import /dev/zero and import of a FIFO are refused within seconds', () => {
    const z = run(['import', '/dev/zero'], { timeout: 25_000 });
    expectOneLine(z, 1, /^backprop: \/dev\/zero: is a character device; expected a regular file$/);
    expect(z.rss).toBeLessThan(400 * 1024 ** 2);
    const fifo = join(dir, 'model-fifo.json');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const f = run(['import', fifo], { timeout: 25_000 });
    expectOneLine(f, 1, /is a FIFO; expected a regular file/);
  }, 60_000);

  describe('big files', () => {
    const big = join(dir, 'big');
    beforeAll(() => {
      mkdirSync(big);
      // 50 MB of weights, written in 1 MB pieces.
      const fd = openSync(join(big, 'big.bin'), 'w');
      const piece = Buffer.alloc(1024 * 1024, 1);
      for (let i = 0; i < 50; i++) writeFileSync(fd, piece);
      closeSync(fd);
      linkSync(join(big, 'big.bin'), join(big, 'alias.bin'));
    });
    afterAll(() => rmSync(big, { recursive: true, force: true }));

    it('one 50 MB file listed 40 times is refused before it is read, in bounded memory', () => {
      writeFileSync(join(big, 'model.json'), JSON.stringify(modelJSON(Array(40).fill('big.bin'))));
      const r = run(['import', join(big, 'model.json'), '--out', '-']);
      expectOneLine(r, 1, /paths\[1\] "big\.bin": listed twice/);
      expect(r.rss).toBeLessThan(400 * 1024 ** 2);
    });

    it('a weight file larger than the layers need fails at once, naming the sizes', () => {
      writeFileSync(join(big, 'model2.json'), JSON.stringify(modelJSON(['big.bin', 'alias.bin'])));
      const r = run(['import', join(big, 'model2.json'), '--out', '-']);
      expectOneLine(r, 1, new RegExp(`weightsManifest\\[0\\]: its files hold ${2 * 50 * 1024 * 1024} bytes .*need exactly ${WEIGHT_BYTES}`));
      expect(r.rss).toBeLessThan(400 * 1024 ** 2);
    });

    it('a model.json larger than the TF.js limit is refused before it is read whole', () => {
      const json = join(big, 'huge.json');
      const fd = openSync(json, 'w');
      writeFileSync(fd, '{"format":"layers-model","pad":"');
      const piece = Buffer.alloc(1024 * 1024, 'x');
      for (let i = 0; i < 40; i++) writeFileSync(fd, piece);
      writeFileSync(fd, '"}');
      closeSync(fd);
      const r = run(['import', json, '--out', '-']);
      expectOneLine(r, 1, /larger than the 16777216-byte limit for a TensorFlow.js model.json/);
      expect(r.rss).toBeLessThan(400 * 1024 ** 2);
    });
  });

  it('a file smaller than declared is refused', () => {
    const { path } = modelFolder(modelJSON(), new Uint8Array(WEIGHTS.buffer).slice(0, 20));
    expectOneLine(run(['import', path, '--out', '-']), 1, /its files hold 20 bytes \(20\); its weights' shapes need exactly 48/);
  });
});

describe('TF.js weights go to layers by full name, as TensorFlow.js loads them', () => {
  it('layer "dense" takes dense/kernel, not my_dense/kernel: predictions equal tf.loadLayersModel\'s', async () => {
    const json = modelJSON();
    const manifest = (json.weightsManifest as { weights: tf.io.WeightsManifestEntry[] }[])[0].weights;
    const reference = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology as tf.io.ModelJSON['modelTopology'], weightSpecs: manifest, weightData: WEIGHTS.slice().buffer }));
    const rows = [[1, 1], [0.5, -2], [3, 0]];
    const theirs = Array.from(await (reference.predict(tf.tensor2d(rows)) as tf.Tensor).data());

    const { network } = modelFromJSON(importTFJS(json, new Uint8Array(WEIGHTS.buffer)));
    expect(Array.from(network.predict(rows).data)).toEqual(theirs);

    // Through the command, predicting from a CSV file.
    const { path, folder } = modelFolder(json);
    const out = join(folder, 'imported.json');
    const r = run(['import', path, '--out', out, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    writeFileSync(join(folder, 'rows.csv'), 'x1,x2\n' + rows.map((row) => row.join(',')).join('\n') + '\n');
    const p = run(['predict', out, join(folder, 'rows.csv'), '--json']);
    expect(p.code, p.stderr).toBe(0);
    const ours = (JSON.parse(p.stdout) as { predictions?: unknown[] } | unknown[]);
    const flat = JSON.stringify(ours).match(/-?\d+(\.\d+)?(e-?\d+)?/g)!.map(Number);
    for (const v of theirs) expect(flat.some((x) => Math.abs(x - v) < 1e-4), `${v} in ${p.stdout}`).toBe(true);
  });

  it('a weight named twice is an error, not "the last wins"', () => {
    const weights = [
      { name: 'dense/kernel', shape: [2, 2], dtype: 'float32' }, { name: 'dense/bias', shape: [2], dtype: 'float32' },
      { name: 'dense/kernel', shape: [2, 2], dtype: 'float32' }, { name: 'my_dense/kernel', shape: [2], dtype: 'float32' },
    ];
    const { path } = modelFolder(modelJSON(['weights.bin'], weights));
    expectOneLine(run(['import', path, '--out', '-']), 1, /weight "dense\/kernel": listed twice in weightsManifest/);
  });

  it('a weight no layer has is an error (TF.js refuses it too)', () => {
    const weights = [
      { name: 'other/kernel', shape: [2, 2], dtype: 'float32' }, { name: 'dense/bias', shape: [2], dtype: 'float32' },
      { name: 'dense/kernel', shape: [2, 2], dtype: 'float32' }, { name: 'my_dense/bias', shape: [2], dtype: 'float32' },
    ];
    const { path } = modelFolder(modelJSON(['weights.bin'], weights));
    expectOneLine(run(['import', path, '--out', '-']), 1, /weight "other\/kernel": no layer has a weight of this name/);
  });

  const deep = (open: string, close: string, middle = ''): string => open.repeat(100_000) + middle + close.repeat(100_000);
  const good = JSON.stringify(modelJSON());
  const badWeights = (entry: string): string => good.replace('{"name":"my_dense/kernel","shape":[2,2],"dtype":"float32"}', entry);
  const cases: [string, string, RegExp][] = [
    ['a null weight entry', badWeights('null'), /weights\[0\]: expected \{ name, shape, dtype \}, got null/],
    ['a numeric weight name', badWeights('{"name":5,"shape":[2,2],"dtype":"float32"}'), /weights\[0\]: name: expected a string, got 5/],
    ['a missing shape', badWeights('{"name":"my_dense/kernel","dtype":"float32"}'), /shape: expected a list of whole numbers, 0 or more, got nothing/],
    ['a null shape', badWeights('{"name":"my_dense/kernel","shape":null,"dtype":"float32"}'), /got null/],
    ['an object shape', badWeights('{"name":"my_dense/kernel","shape":{"a":1},"dtype":"float32"}'), /got \{"a":1\}/],
    ['a negative dimension', badWeights('{"name":"my_dense/kernel","shape":[-4,3],"dtype":"float32"}'), /got \[-4,3\]/],
    ['100k-deep nesting in a layer name', good.replace('"name":"my_dense"', `"name":${deep('[', ']')}`), /name: expected a string, got (object|\[)/],
    ['100k-deep nesting in class_name', good.replace('"class_name":"Dense"', `"class_name":${deep('[', ']')}`), /class_name: expected a string/],
    ['100k-deep nesting in activation', good.replace('"activation":"linear"', `"activation":${deep('{"a":', '}', '1')}`), /activation: expected a name/],
    ['100k-deep nesting in batch_input_shape', good.replace('"batch_input_shape":[null,2]', `"batch_input_shape":${deep('[', ']')}`), /input shape .*; backprop reads rows of numbers/],
    ['a model topology of deep nesting', good.replace('"modelTopology":{', `"x":${deep('[', ']')},"modelTopology":{`), /^backprop: /],
  ];
  it.each(cases)('%s: one line, no stack', (_, text, pattern) => {
    expect(text).not.toBe(good);
    const { path } = modelFolder(text);
    const r = run(['import', path, '--out', '-']);
    if (pattern.source === '^backprop: ') {
      // Extra deep nesting where backprop never looks: imported as if it were not there.
      expect(r.code, r.stderr).toBe(0);
      return;
    }
    expectOneLine(r, 1, pattern);
  });
});

describe('export: its source, its folders and standard output', () => {
  let model: string;
  beforeAll(() => {
    model = join(dir, 'iris.json');
    const r = run(['train', 'iris', '--epochs', '1', '--layers', '4', '--quiet', '--out', model], { timeout: 60_000 });
    expect(r.code, r.stderr).toBe(0);
  });

  it('refuses to write over the model it exports: the same path, a symlink, a hard link', () => {
    const before = readFileSync(model, 'utf8');
    symlinkSync(model, join(dir, 'iris-link.onnx'));
    linkSync(model, join(dir, 'iris-hard.json'));
    for (const [to, out] of [['onnx', model], ['tfjs', model], ['onnx', join(dir, 'iris-link.onnx')], ['tfjs', join(dir, 'iris-hard.json')]] as const) {
      const r = run(['export', model, '--to', to, '--out', out]);
      expectOneLine(r, 2, /the same file as the model being exported/);
      expect(readFileSync(model, 'utf8')).toBe(before);
    }
  }, 30_000);

  it('--out under a file, or in a folder that cannot be made: one line, no internal error', () => {
    expectOneLine(run(['export', model, '--to', 'tfjs', '--out', `${model}/sub/model.json`]), 1, /cannot create the folder .* \(a part of the path is not a folder\)/);
    expectOneLine(run(['export', model, '--to', 'onnx', '--out', `${model}/sub/model.onnx`]), 1, /a part of the path is not a folder/);
    // /proc refuses new folders (mkdir's recursive mode would spin there forever).
    expectOneLine(run(['export', model, '--to', 'tfjs', '--out', '/proc/backprop-test/sub/model.json'], { timeout: 25_000 }), 1, /cannot create the folder/);
  }, 30_000);

  it('standard output that fails (> /dev/full) is one line and exit 1', () => {
    for (const args of [['export', model, '--to', 'onnx', '--out', '-'], ['predict', model, join(ROOT, 'data/iris.csv')], ['datasets']]) {
      const full = openSync('/dev/full', 'w');
      try {
        const r = run(args, { stdio: ['ignore', full, 'pipe'] });
        expectOneLine(r, 1, /^backprop: cannot write to standard output \(no space left on the device\)/);
      } finally {
        closeSync(full);
      }
    }
  }, 30_000);

  it('--to tfjs --out DIR writes DIR/model.json and its weights, which import back', () => {
    for (const out of [join(dir, 'existing'), join(dir, 'fresh/'), join(dir, 'plain')]) {
      if (out.endsWith('existing')) mkdirSync(out);
      const r = run(['export', model, '--to', 'tfjs', '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      expect(readdirSync(out).sort()).toEqual(['model.json', 'model.weights.bin']);
      const back = run(['import', join(out, 'model.json'), '--out', join(out, '..', `${out.replace(/\W/g, '')}.json`), '--quiet']);
      expect(back.code, back.stderr).toBe(0);
    }
  }, 30_000);
});
