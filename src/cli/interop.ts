// `backprop export` and `backprop import`: a model file to ONNX, TensorFlow.js or a standalone ES module, and
// ONNX or TensorFlow.js files to a model file. Every output is staged whole and renamed into place together.
import { statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { BackpropError, quoted } from '../core/errors.js';
import type { Label } from '../data/encoding.js';
import { doubleInputs, exportONNX, FLOAT_RESOLUTION } from '../interop/onnx-export.js';
import { importONNX } from '../interop/onnx-import.js';
import { exportStandalone } from '../interop/standalone.js';
import { exportTFJS, importTFJS, tfjsWeightGroups } from '../interop/tfjs.js';
import { JsonScan, scanError } from '../io/json-scan.js';
import { modelFromJSON, modelToJSON, stringifyModel, MAX_MODEL_BYTES, type ModelFile } from '../io/model-file.js';
import { referenceKernels } from '../core/reference.js';
import {
  closeQuietly, commitFiles, discardFiles, fileInFolder, loadNetwork, makeFolder, openRegularFile, readExactly, sameFile, stageFile, type StagedFile,
} from '../node/files.js';
import { UsageError } from './errors.js';

import type { ExportFormat } from './options.js';
export { EXPORT_FORMATS, type ExportFormat } from './options.js';

/** The path without its extension (model.json → model). */
const stem = (path: string): string => join(dirname(path), basename(path, extname(path)));

/** Whether an export's --out names a folder, as TensorFlow.js's file://DIR does: an existing one, a trailing slash, or no extension. */
function isFolderOut(out: string): boolean {
  if (/[\\/]$/.test(out) || extname(out) === '') return true;
  try {
    return statSync(out).isDirectory();
  } catch {
    return false;
  }
}

export function exportCommand(modelPath: string, opts: { to: ExportFormat; out?: string; quiet?: boolean }, stdout: NodeJS.WritableStream): void {
  // Writing a model out takes no arithmetic: the reference kernels hold it, so a BLAS that BACKPROP_BLAS names
  // wrongly (or none on this machine) does not stop an export.
  const { network, preprocessing } = loadNetwork(modelPath, { kernels: referenceKernels });
  const model = modelToJSON(network, preprocessing);
  let outputs: { path: string; content: string | Uint8Array }[];
  if (opts.to === 'onnx') {
    const out = opts.out ?? `${stem(modelPath)}.onnx`;
    const bytes = exportONNX(model);
    if (out === '-') return void stdout.write(bytes);
    outputs = [{ path: out, content: bytes }];
  } else if (opts.to === 'js') {
    const out = opts.out ?? `${stem(modelPath)}.js`;
    const { js, dts } = exportStandalone(model, basename(stem(out === '-' ? modelPath : out)));
    if (out === '-') return void stdout.write(js);
    if (!/\.m?js$/.test(out)) throw new UsageError(`--out ${out}: expected a .js or .mjs file name for the module (its types go beside it in a .d.ts file)`, '--out');
    const types = out.replace(/\.m?js$/, (e) => (e === '.mjs' ? '.d.mts' : '.d.ts'));
    outputs = [{ path: out, content: js }, { path: types, content: dts }];
  } else {
    let out = opts.out ?? join(`${stem(modelPath)}-tfjs`, 'model.json');
    if (out === '-') throw new UsageError('--out -: TensorFlow.js models are two files (model.json and its weights); give a file or folder name', '--out');
    // A folder gets model.json and its weights inside, as TensorFlow.js's model.save('file://DIR') writes them.
    if (isFolderOut(out)) out = join(out, 'model.json');
    if (extname(out) !== '.json') throw new UsageError(`--out ${out}: expected a .json file name (the weights go beside it) or a folder`, '--out');
    // model.json names its weights by a relative URL, which a `#`, `?`, `%` or control character would misread.
    const weightsPath = join(dirname(out), `${basename(out, '.json').replace(/[^\p{L}\p{M}\p{N}._ -]/gu, '_')}.weights.bin`);
    const { modelJSON, weights } = exportTFJS(model, basename(weightsPath));
    outputs = [{ path: out, content: JSON.stringify(modelJSON) + '\n' }, { path: weightsPath, content: weights }];
  }
  // Nothing is written over the model being exported, whatever the path says (a symlink or a hard link to it).
  for (const { path } of outputs) {
    if (resolve(path) === resolve(modelPath) || sameFile(path, modelPath)) throw new UsageError(`--out ${path}: the same file as the model being exported; give another name`, '--out');
  }
  // TensorFlow.js's files go in a folder of their own (MODEL-tfjs/ by default), made when it is new.
  if (opts.to === 'tfjs') for (const { path } of outputs) makeFolder(dirname(path), path);
  const staged: StagedFile[] = [];
  try {
    for (const { path, content } of outputs) staged.push(stageFile(path, content));
  } catch (e) {
    discardFiles(staged);
    throw e;
  }
  commitFiles(staged);
  if (!opts.quiet) stdout.write(`wrote ${outputs.map((o) => o.path).join(' and ')}\n`);
  const doubles = opts.to === 'onnx' ? doubleInputs(model) : [];
  if (!opts.quiet && doubles.length) {
    stdout.write(`inputs   ${doubles.slice(0, 10).map((d) => quoted(d)).join(', ')}${doubles.length > 10 ? ` and ${doubles.length - 10} more` : ''} as double: float would round their values coarser than ${FLOAT_RESOLUTION} of their spread; the other numbers as float\n`);
  }
}

export interface ImportCommandOptions {
  out?: string;
  features?: string[];
  target?: string;
  classes?: Label[];
  quiet?: boolean;
}

/**
 * The largest TensorFlow.js model.json read: its topology and manifest are small (the weights are in their own
 * files), and JSON.parse takes many times a text's size, so a bigger one is refused before it is read.
 */
export const MAX_TFJS_JSON_BYTES = 16 * 1024 * 1024;

/** The file `import` reads (model.json or an .onnx file), whole, once it is known to be a regular file of a sane size. */
function readModelInput(path: string): { bytes: Buffer; json: boolean } {
  const file = openRegularFile(path);
  try {
    if (file.size > MAX_MODEL_BYTES) throw new BackpropError(`${path}: ${file.size} bytes is larger than the ${MAX_MODEL_BYTES}-byte limit for model files`);
    // The first bytes tell JSON (TensorFlow.js) from ONNX, and so which limit applies, before the rest is read.
    const head = Buffer.alloc(Math.min(64, file.size));
    readExactly(file, head, 0, head.length, path);
    const json = head.toString('utf8').trimStart().startsWith('{');
    if (json && file.size > MAX_TFJS_JSON_BYTES) {
      throw new BackpropError(`${path}: ${file.size} bytes is larger than the ${MAX_TFJS_JSON_BYTES}-byte limit for a TensorFlow.js model.json (its weights belong in the weight files)`);
    }
    const bytes = Buffer.alloc(file.size);
    head.copy(bytes);
    readExactly(file, bytes, head.length, file.size - head.length, path, head.length);
    return { bytes, json };
  } finally {
    closeQuietly(file);
  }
}

/**
 * The weight files a model.json names, concatenated in the manifest's order, read under its rules: each a regular
 * file inside the model's folder, listed once, and each group's files exactly as large as its weights need (the
 * layers' shapes fix that), all checked from the files' sizes before a byte is read. Returns the files read too.
 */
function readTFJSWeights(path: string, json: unknown): { data: Uint8Array; files: string[] } {
  const groups = tfjsWeightGroups(json, { source: path });
  const folder = dirname(path);
  const seen = new Set<string>();
  const planned = groups.map((group) => {
    const files = group.paths.map((name, k) => {
      const label = `${path}: ${group.label}.paths[${k}] ${quoted(name)}`;
      const real = fileInFolder(folder, name, label);
      // One file listed again would be read again: a cheap way to multiply what a small file costs.
      if (seen.has(real)) throw new BackpropError(`${label}: listed twice; each weight file holds its own part of the weights`);
      seen.add(real);
      return { label, file: openRegularFile(real, label) };
    });
    const held = files.reduce((n, f) => n + f.file.size, 0);
    return { group, files, held };
  });
  const all = planned.flatMap((p) => p.files);
  try {
    for (const { group, files, held } of planned) {
      if (held !== group.bytes) {
        const which = files.map((f) => `${f.file.size}`).join(' + ') || 'no files';
        throw new BackpropError(`${path}: ${group.label}: its files hold ${held} bytes (${which}); its weights' shapes need exactly ${group.bytes}`);
      }
    }
    const data = new Uint8Array(planned.reduce((n, p) => n + p.held, 0));
    let at = 0;
    for (const { label, file } of all) {
      readExactly(file, data, at, file.size, label);
      at += file.size;
    }
    return { data, files: [...seen] };
  } finally {
    for (const { file } of all) closeQuietly(file);
  }
}

export function importCommand(path: string, opts: ImportCommandOptions, stdout: NodeJS.WritableStream): void {
  const { bytes, json: isJSON } = readModelInput(path);
  const options = { features: opts.features, target: opts.target, classes: opts.classes, source: path };
  let model: ModelFile;
  let out: string;
  let inputs = [path];
  if (isJSON) {
    // TensorFlow.js: model.json, and the weight files its manifest names, beside it.
    const text = bytes.toString('utf8');
    let json: unknown;
    try {
      json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    } catch (e) {
      // The parser's words quote the text: the scan says what is wrong (or what the file is) without them.
      const scan = new JsonScan(scanError(path, 'a TensorFlow.js model.json'));
      scan.feed(text);
      scan.end();
      throw new BackpropError(`${path}: not a TensorFlow.js model.json: the JSON is invalid (${(e as Error).name})`);
    }
    const weights = readTFJSWeights(path, json);
    model = importTFJS(json, weights.data, options);
    inputs = [path, ...weights.files];
    out = opts.out ?? `${stem(path)}.backprop.json`;
  } else {
    model = importONNX(bytes, options);
    out = opts.out ?? `${stem(path)}.json`;
  }
  // Through a symlink or a hard link too: the same device and inode.
  if (out !== '-' && (resolve(out) === resolve(path) || inputs.some((input) => sameFile(out, input)))) {
    throw new UsageError(`--out ${out}: the same file as an input; give another name`, '--out');
  }
  // Checked as any model file is, and written in the canonical form.
  const loaded = modelFromJSON(model, path);
  const written = stringifyModel(loaded.network, loaded.preprocessing);
  if (out === '-') return void stdout.write(written);
  commitFiles([stageFile(out, written)]);
  if (!opts.quiet) {
    const spec = loaded.network.toSpec();
    stdout.write(`wrote ${out}: ${spec.inputs} inputs, layers ${spec.layers.map((l) => `${l.units} ${l.activation}`).join(', ')}\n`);
  }
}
