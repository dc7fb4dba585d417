// A model file is scanned as it is read, before it is parsed: its JSON's syntax (checked here against JSON.parse on
// random texts), and every list's length against the network the file itself declares, so a file that lists ten
// million categories for a network of five inputs is refused at the sixth. What is not a model file says what it is
// without quoting it, and devices are never read.
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { closeSync, existsSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { BackpropError, Model, train } from '../src/index.js';
import { JsonScan } from '../src/io/json-scan.js';
import { loadModel } from '../src/node/index.js';
import { importCommand } from '../src/cli/interop.js';
import { tempDir, writeFile } from './cli-helpers.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rows = Array.from({ length: 40 }, (_, i) => ({ a: i % 3, b: i % 5, c: i % 7, d: i % 2 ? 'p' : 'q', y: i % 2 ? 'yes' : 'no' }));
// One plain network on the scaled inputs (no bins, no bagging): a network of five inputs, the figure the messages below name.
const model = await train(rows, { epochs: 1, target: 'y', bagging: 1, bins: 0 });

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(e, String(e)).toBeInstanceOf(BackpropError);
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('the scan agrees with JSON.parse', () => {
  /** Whether the scan takes the text whole, and in two pieces cut at `cut`. */
  const scans = (text: string, cut: number): [boolean, boolean] => {
    const run = (pieces: string[]): boolean => {
      const scan = new JsonScan((message) => {
        throw new Error(message);
      });
      try {
        for (const p of pieces) scan.feed(p);
        scan.end();
        return true;
      } catch {
        return false;
      }
    };
    return [run([text]), run([text.slice(0, cut), text.slice(cut)])];
  };
  const parses = (text: string): boolean => {
    try {
      JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
      return true;
    } catch {
      return false;
    }
  };
  const noise = fc.string({ unit: fc.constantFrom('"', '\\', ',', ':', '[', ']', '{', '}', '0', '1', '-', '.', 'e', 'E', '+', ' ', '\n', 'u', 'a', 't', 'n', 'l', '\u0001', '\ufeff'), maxLength: 3 });

  it('on JSON texts, the same texts damaged, and each cut in two anywhere', () => {
    fc.assert(fc.property(fc.json(), fc.nat(), fc.integer({ min: 0, max: 3 }), noise, (json, at, change, inserted) => {
      let text = json;
      const p = at % (text.length + 1);
      if (change === 1) text = text.slice(0, p) + inserted + text.slice(p);
      if (change === 2) text = text.slice(0, p) + text.slice(p + 1);
      if (change === 3) text = JSON.stringify(JSON.parse(json), null, 2);
      const expected = parses(text);
      expect(scans(text, at % (text.length + 1)), JSON.stringify(text)).toEqual([expected, expected]);
    }), { numRuns: 1_000 });
  }, 60_000);

  it('on numbers of every shape', () => {
    const digits = fc.string({ unit: fc.constantFrom('0', '1', '9'), maxLength: 4 });
    const number = fc.tuple(fc.constantFrom('', '-', '+'), digits, fc.constantFrom('', '.'), digits, fc.constantFrom('', 'e', 'E'), fc.constantFrom('', '+', '-'), digits)
      .map((parts) => parts.join(''));
    fc.assert(fc.property(number, fc.nat(), (n, at) => {
      for (const text of [n, `[${n}]`, `{"a":${n}}`, `[${n},${n}]`]) {
        const expected = parses(text);
        expect(scans(text, at % (text.length + 1)), text).toEqual([expected, expected]);
      }
    }), { numRuns: 500 });
  }, 60_000);
});

describe('sizes checked against the network the file declares', () => {
  /** A model file of `count` categories for feature d, written a piece at a time (the file is larger than the test wants in memory); they need not differ. */
  function manyCategories(name: string, count: number): string {
    const json = model.toJSON();
    json.preprocessing!.features[3] = { name: 'd', type: 'categorical', categories: ['CATEGORIES'] };
    const [before, after] = JSON.stringify(json).split('"CATEGORIES"');
    const path = join(dir, name);
    const fd = openSync(path, 'w');
    writeSync(fd, before);
    const piece = Array.from({ length: 100_000 }, (_, k) => `"c${k}"`).join(',');
    for (let i = 0; i < count; i += 100_000) writeSync(fd, (i > 0 ? ',' : '') + piece);
    writeSync(fd, after);
    closeSync(fd);
    return path;
  }

  it('ten million categories for a network of five inputs: refused at the sixth, in memory the network bounds', () => {
    const path = manyCategories('categories.json', 10_000_000); // 109 MB
    const rss = process.memoryUsage().rss;
    // Today: refused after all ten million are read, parsed and checked (10.9 s, 1.48 GB).
    expect(errorOf(() => loadModel(path))).toBe(`${path}: preprocessing.features[3].categories: more than 5 items, but the network has 5 inputs in all (network.inputs)`);
    expect(process.memoryUsage().rss - rss).toBeLessThan(100e6);
  }, 60_000);

  it('the same from the text (Model.parse) and from the parsed data (Model.fromJSON)', () => {
    const json = model.toJSON();
    json.preprocessing!.features[3] = { name: 'd', type: 'categorical', categories: Array.from({ length: 100_000 }, (_, i) => `c${i}`) };
    expect(errorOf(() => Model.parse(JSON.stringify(json)))).toBe('model: preprocessing.features[3].categories: more than 5 items, but the network has 5 inputs in all (network.inputs)');
    expect(errorOf(() => Model.fromJSON(json))).toBe('model: preprocessing.features[3].categories: expected features that encode to 5 inputs, as network.inputs says; with these 100000 categories they pass it');
  });

  it('weights, biases, classes and values beyond the network; nesting, strings and numbers beyond any model file', () => {
    const text = model.stringify();
    const json = () => JSON.parse(text);
    const { layers } = model.network.toSpec();
    const units = layers[0].units;
    const cases: [string, string, string][] = [
      ['a weight row too long', JSON.stringify({ ...json(), weights: json().weights.map((w: { weights: number[][] }, l: number) => (l === 0 ? { ...w, weights: w.weights.map((r) => [...r, ...r]) } : w)) }),
        `weights[0].weights[0]: more than ${units} items, but layer 0 has ${units} units`],
      ['too many layers of weights', JSON.stringify({ ...json(), weights: [...json().weights, ...json().weights] }), `weights: more than ${layers.length} items, but the network has ${layers.length} layers`],
      ['too many classes', text.replace('"classes":["no","yes"]', '"classes":["no","yes","maybe"]'), 'preprocessing.target.classes: more than 2 items, but the network\'s outputs tell 2 classes apart'],
      ['a long string', text.replace('"name":"a"', `"name":"${'a'.repeat(70_000)}"`), 'preprocessing.features[0].name: a string of more than 60000 characters, longer than any in a model file'],
      ['a long number', text.replace('"seed":1', `"seed":1${'0'.repeat(500)}`), 'network.seed: a number written in more than 400 characters'],
      ['deep nesting', text.replace('"preprocessing":', `"extra":${'['.repeat(40)}${']'.repeat(40)},"preprocessing":`), `extra${'[0]'.repeat(31)}: nested more than 32 deep, deeper than any model file`],
    ];
    for (const [name, bad, message] of cases) expect(errorOf(() => Model.parse(bad)), name).toBe(`model: ${message}`);
  });

  it('a file ordered otherwise (its network last) is checked once the network is known', () => {
    const json = model.toJSON();
    json.preprocessing!.features[3] = { name: 'd', type: 'categorical', categories: Array.from({ length: 3000 }, (_, i) => `c${i}`) };
    const { network, ...rest } = json;
    expect(errorOf(() => Model.parse(JSON.stringify({ ...rest, network })))).toMatch(/^model: network: more values than a model of this network holds \(\d+\)$/);
    // A good model, reordered, still loads.
    const good = model.toJSON();
    const { network: n2, ...others } = good;
    expect(Model.parse(JSON.stringify({ ...others, network: n2 })).predict(rows.slice(0, 3))).toEqual(model.predict(rows.slice(0, 3)));
  });
});

describe('what is not a model file says what it is, without quoting it', () => {
  it('text, binary data, compressed data, an empty file, a device, a folder', () => {
    const secret = 'root:x:0:0:root:/root:/bin/bash\nsecret-token=hunter2\n';
    const cases: [string, string][] = [
      [writeFile(dir, 'passwd', secret), 'it is text, but not JSON (a model file starts with "{")'],
      [writeFile(dir, 'numbers.csv', '1,2\n3,4\n'), 'it is text, but not JSON (a model file starts with "{")'],
      [writeFile(dir, 'environ', 'HOME=/root\u0000TOKEN=hunter2\u0000'), 'it holds binary data, not text (a model file is JSON text)'],
      [writeFile(dir, 'm.json.gz', new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0])), 'it is gzip-compressed data (decompress it first)'],
      [writeFile(dir, 'empty.json', ''), 'the file is empty'],
      [writeFile(dir, 'cut.json', model.stringify().slice(0, 200)), 'the JSON is invalid at line 1, column 201: the text ends before the JSON does (the file is cut short)'],
      [writeFile(dir, 'broken.json', '{\n  "format": "backprop-model",\n  "version": 1 "network": {}\n}'), 'the JSON is invalid at line 3, column 16: expected "," or "}" after a value'],
    ];
    for (const [path, what] of cases) {
      const message = errorOf(() => loadModel(path));
      expect(message).toBe(`${path}: not a model file: ${what}`);
      expect(message).not.toMatch(/root|hunter2|HOME/);
    }
    expect(errorOf(() => loadModel(dir))).toBe(`${dir}: is a folder; expected a regular file`);
    // backprop import's TensorFlow.js model.json too (the parser's message quoted the file).
    const tfjs = writeFile(dir, 'model.json', '{"format": "layers-model", "modelTopology": {"secret": "hunter2"');
    expect(errorOf(() => importCommand(tfjs, {}, process.stdout))).toBe(`${tfjs}: not a TensorFlow.js model.json: the JSON is invalid at line 1, column 65: the text ends before the JSON does (the file is cut short)`);
  });

  it('a file of /proc whose size stat gives as 0 is read (boundedly) and named as binary; a device is not read at all', () => {
    // Today: "the file is empty" for both, and /etc/passwd quoted.
    if (existsSync('/proc/self/environ')) expect(errorOf(() => loadModel('/proc/self/environ'))).toBe('/proc/self/environ: not a model file: it holds binary data, not text (a model file is JSON text)');
    if (existsSync('/dev/urandom')) expect(errorOf(() => loadModel('/dev/urandom'))).toBe('/dev/urandom: is a character device; expected a regular file');
  });

  it('data that is no model object says what it found: a list, a repeated reference, text', () => {
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    // Today: "model: model: expected an object, got object".
    expect(errorOf(() => Model.fromJSON(cyclic))).toBe('model: not a model file: expected an object, got a list of 1 item that holds itself (a repeated reference, which JSON cannot have)');
    const json = model.toJSON() as unknown as { preprocessing: { features: unknown[] } };
    json.preprocessing.features.push(json.preprocessing.features);
    // Today: "preprocessing.features[4]: expected an object, got object".
    expect(errorOf(() => Model.fromJSON(json))).toBe('model: preprocessing.features[4]: expected an object, got a list of 5 items that holds itself (a repeated reference, which JSON cannot have)');
    // Today: model: model: expected an object, got "{\"format\"…
    expect(errorOf(() => Model.fromJSON(model.stringify()))).toBe('model: expected a model file\'s data (an object), got text; Model.parse (or parseModel) reads a model file\'s text');
    expect(errorOf(() => Model.fromJSON({ name: 'a package.json' }))).toBe('model: not a model file: its JSON has no "format": "backprop-model"');
    // A long list is described without being written out in full.
    expect(errorOf(() => Model.fromJSON(new Array(1e6).fill(7)))).toBe('model: not a model file: expected an object, got [7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,...');
  });
});
