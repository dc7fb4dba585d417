// `backprop export` and `backprop import`: a model file to ONNX, TensorFlow.js or a standalone ES module, and
// ONNX or TensorFlow.js files to a model file. Every output is staged whole and renamed into place together.
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { BackpropError } from '../core/errors.js';
import type { Label } from '../data/encoding.js';
import { exportONNX } from '../interop/onnx-export.js';
import { importONNX } from '../interop/onnx-import.js';
import { exportStandalone } from '../interop/standalone.js';
import { exportTFJS, importTFJS } from '../interop/tfjs.js';
import { modelFromJSON, modelToJSON, stringifyModel, MAX_MODEL_BYTES, type ModelFile } from '../io/model-file.js';
import { commitFiles, loadNetwork, readableSize, stageFile, type StagedFile } from '../node/files.js';
import { UsageError } from './errors.js';

export const EXPORT_FORMATS = ['onnx', 'tfjs', 'js'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The path without its extension (model.json → model). */
const stem = (path: string): string => join(dirname(path), basename(path, extname(path)));

export function exportCommand(modelPath: string, opts: { to: ExportFormat; out?: string; quiet?: boolean }, stdout: NodeJS.WritableStream): void {
  const { network, preprocessing } = loadNetwork(modelPath);
  const model = modelToJSON(network, preprocessing);
  const staged: StagedFile[] = [];
  let written: string[];
  if (opts.to === 'onnx') {
    const out = opts.out ?? `${stem(modelPath)}.onnx`;
    const bytes = exportONNX(model);
    if (out === '-') return void stdout.write(bytes);
    staged.push(stageFile(out, bytes));
    written = [out];
  } else if (opts.to === 'js') {
    const out = opts.out ?? `${stem(modelPath)}.js`;
    const { js, dts } = exportStandalone(model, basename(stem(out === '-' ? modelPath : out)));
    if (out === '-') return void stdout.write(js);
    if (!/\.m?js$/.test(out)) throw new UsageError(`--out ${out}: expected a .js or .mjs file name for the module (its types go beside it in a .d.ts file)`, '--out');
    const types = out.replace(/\.m?js$/, (e) => (e === '.mjs' ? '.d.mts' : '.d.ts'));
    staged.push(stageFile(out, js), stageFile(types, dts));
    written = [out, types];
  } else {
    const out = opts.out ?? join(`${stem(modelPath)}-tfjs`, 'model.json');
    if (out === '-') throw new UsageError('--out -: TensorFlow.js models are two files (model.json and its weights); give a file name', '--out');
    if (extname(out) !== '.json') throw new UsageError(`--out ${out}: expected a .json file name (the weights go beside it)`, '--out');
    const weightsPath = `${stem(out)}.weights.bin`;
    const { modelJSON, weights } = exportTFJS(model, basename(weightsPath));
    mkdirSync(dirname(resolve(out)), { recursive: true });
    staged.push(stageFile(out, JSON.stringify(modelJSON) + '\n'), stageFile(weightsPath, weights));
    written = [out, weightsPath];
  }
  commitFiles(staged);
  if (!opts.quiet) stdout.write(`wrote ${written.join(' and ')}\n`);
}

export interface ImportCommandOptions {
  out?: string;
  features?: string[];
  target?: string;
  classes?: Label[];
  quiet?: boolean;
}

export function importCommand(path: string, opts: ImportCommandOptions, stdout: NodeJS.WritableStream): void {
  const size = readableSize(path);
  if (size > MAX_MODEL_BYTES) throw new BackpropError(`${path}: ${size} bytes is larger than the ${MAX_MODEL_BYTES}-byte limit for model files`);
  const bytes = readFileSync(path);
  const options = { features: opts.features, target: opts.target, classes: opts.classes, source: path };
  let model: ModelFile;
  let out: string;
  const text = bytes.subarray(0, 64).toString('utf8').trimStart();
  if (text.startsWith('{')) {
    // TensorFlow.js: model.json, and the weight files its manifest names, beside it.
    let json: { weightsManifest?: { paths?: unknown }[] };
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch (e) {
      throw new BackpropError(`${path}: not a TensorFlow.js model.json: the JSON is invalid (${String((e as Error).message).slice(0, 120)})`);
    }
    const paths = Array.isArray(json.weightsManifest) ? json.weightsManifest.flatMap((g) => (Array.isArray(g?.paths) ? g.paths : [])) : [];
    const parts = paths.map((p) => {
      const file = join(dirname(path), String(p));
      const n = readableSize(file);
      if (n > MAX_MODEL_BYTES) throw new BackpropError(`${file}: ${n} bytes is larger than the ${MAX_MODEL_BYTES}-byte limit for model files`);
      return readFileSync(file);
    });
    model = importTFJS(json, Buffer.concat(parts), options);
    out = opts.out ?? `${stem(path)}.backprop.json`;
  } else {
    model = importONNX(bytes, options);
    out = opts.out ?? `${stem(path)}.json`;
  }
  if (out !== '-' && resolve(out) === resolve(path)) throw new UsageError(`--out ${out}: the same file as the input; give another name`, '--out');
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
