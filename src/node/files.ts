// Model files on disk. Writing goes to a temporary file in the same folder and is renamed over the
// target only once complete, so a crash or Ctrl-C never leaves a truncated model where a good one was.
import { closeSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BackpropError } from '../core/errors.js';
import type { Preprocessing } from '../data/preprocessing.js';
import { MAX_MODEL_BYTES, parseModel, stringifyModel, type LoadedModel } from '../io/model-file.js';
import type { Network, NetworkOptions } from '../nn/network.js';

/** Writes text to path atomically: readers see the old file or the whole new one, never a part. */
export function writeFileAtomic(path: string, text: string): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(temp, 'wx');
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(temp, path);
  } catch (e) {
    if (fd !== null) closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
    throw new BackpropError(`${path}: cannot write the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

export function saveModel(path: string, net: Network, preprocessing: Preprocessing | null = null): void {
  writeFileAtomic(path, stringifyModel(net, preprocessing));
}

/** The size of a file about to be read, or an error that says why it cannot be read. */
export function readableSize(path: string): number {
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw new BackpropError(`${path}: is a folder, not a file`);
    return stat.size;
  } catch (e) {
    if (e instanceof BackpropError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new BackpropError(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read the file (${code})`);
  }
}

export function loadModel(path: string, options: NetworkOptions = {}): LoadedModel {
  const size = readableSize(path);
  if (size > MAX_MODEL_BYTES) throw new BackpropError(`${path}: ${size} bytes is larger than the ${MAX_MODEL_BYTES}-byte limit for model files`);
  if (size === 0) throw new BackpropError(`${path}: not a model file: the file is empty`);
  return parseModel(readFileSync(path, 'utf8'), path, options);
}
