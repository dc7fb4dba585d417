// Output files on disk, written so that a failure never costs the user a good file. Each output is first
// written whole to a temporary file beside its target (every write's byte count checked, then fsync), and
// only when every output of a run is staged are they renamed over their targets. A symlink is written
// through to its target; anything but a regular file (a device, a folder, a FIFO) is refused, never replaced.
import {
  accessSync, closeSync, constants, fstatSync, fsyncSync, fchmodSync, lstatSync, mkdirSync, openSync, readdirSync, readlinkSync,
  readSync, realpathSync, renameSync, statSync, unlinkSync, writeSync,
} from 'node:fs';
import type { Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { BackpropError, checkOptions } from '../core/errors.js';
import type { Preprocessing } from '../data/preprocessing.js';
import { MAX_MODEL_BYTES, modelFromJSON, modelScan, parseScanned, stringifyModel, type LoadedModel } from '../io/model-file.js';
import type { Network, NetworkOptions } from '../nn/network.js';
import { defaultKernels } from '../core/backends.js';
import { Model, type Prediction } from '../model/model.js';

/** An output written whole to a temporary file, waiting to be renamed over its target. */
export interface StagedFile {
  /** The path the user gave. */
  readonly path: string;
  /** Where the bytes will land: the path itself, or the file a symlink at path points to. */
  readonly target: string;
  readonly temp: string;
}

/** Temporary files look like `.model.json.<pid>-<random>.backprop-tmp`, so a later save can tell whose they are. */
const TEMP = /^\.(.+)\.(\d+)-[0-9a-z]+\.backprop-tmp$/;

/** Temporary files of this process not yet renamed or removed: an exit on the way removes them. */
const pending = new Set<string>();
let exitHookInstalled = false;

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

function errnoCode(e: unknown): string {
  return (e as NodeJS.ErrnoException)?.code ?? (e as Error)?.message ?? String(e);
}

/** Why a write failed, in words. */
export function reason(e: unknown): string {
  const code = errnoCode(e);
  switch (code) {
    case 'ENOSPC': return 'no space left on the device';
    case 'EDQUOT': return 'the disk quota is exceeded';
    case 'EFBIG': return 'the file would be larger than this process may write (a file-size limit)';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EROFS': return 'the file system is read-only';
    case 'ENOENT': return 'no such folder';
    case 'ENOTDIR': return 'a part of the path is not a folder';
    default: return code;
  }
}

function describeKind(stat: Stats): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** The file a write to `path` should replace: symlinks followed (dangling ones too), non-regular files refused. */
export function outputTarget(path: string): string {
  let current = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    let stat;
    try {
      stat = lstatSync(current);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return current;
      throw new BackpropError(`${path}: cannot write there (${reason(e)})`);
    }
    if (stat.isSymbolicLink()) {
      current = resolve(dirname(current), readlinkSync(current));
      continue;
    }
    if (!stat.isFile()) {
      throw new BackpropError(`${path}: is ${describeKind(stat)}; backprop replaces only regular files, and leaves this one alone`);
    }
    return current;
  }
  throw new BackpropError(`${path}: too many levels of symbolic links`);
}

/** Whether a process with this id is running. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errnoCode(e) === 'EPERM';
  }
}

/** Removes temporary files that a killed run left in this folder (their process is gone). */
export function removeStaleTemporaries(folder: string): void {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return;
  }
  for (const name of names) {
    const m = TEMP.exec(name);
    if (m && Number(m[2]) !== process.pid && !alive(Number(m[2]))) removeQuietly(join(folder, name));
  }
}

/** Writes every byte or throws: a short count is retried, and a write that makes no progress is an error. */
function writeAll(fd: number, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) {
    const n = writeSync(fd, bytes, offset, bytes.length - offset);
    if (!(n > 0)) throw Object.assign(new Error(`wrote ${offset} of ${bytes.length} bytes`), { code: 'ENOSPC' });
    offset += n;
  }
}

/** Writes `content` whole to a temporary file beside path's target, checked and flushed; nothing is replaced yet. */
export function stageFile(path: string, content: string | Uint8Array): StagedFile {
  if (path === '') throw new BackpropError('an output path is empty; expected a file name');
  const target = outputTarget(path);
  const folder = dirname(target);
  removeStaleTemporaries(folder);
  const temp = join(folder, `.${basename(target)}.${process.pid}-${Math.random().toString(36).slice(2, 10)}.backprop-tmp`);
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  let fd: number | null = null;
  try {
    fd = openSync(temp, 'wx', 0o666);
    trackTemporary(temp);
    try {
      // Replacing a file keeps its permissions.
      fchmodSync(fd, statSync(target).mode & 0o7777);
    } catch {
      // a new file: the umask's default
    }
    writeAll(fd, bytes);
    fsyncSync(fd);
    if (fstatSync(fd).size !== bytes.length) throw Object.assign(new Error('the file is shorter than what was written'), { code: 'EIO' });
    closeSync(fd);
    fd = null;
  } catch (e) {
    if (fd !== null) {
      try {
        closeSync(fd);
      } catch {
        // the write error is the one to report
      }
    }
    discardFiles([{ path, target, temp }]);
    throw new BackpropError(`${path}: cannot write the file (${reason(e)}); ${statSafe(target) ? 'the existing file is unchanged' : 'nothing was written'}`);
  }
  return { path, target, temp };
}

/**
 * Refuses, before any work, an output path that stageFile would refuse at the end: its folder missing or not
 * writable, or the path a folder or another thing that is not a regular file. Writes nothing.
 */
export function checkWritable(path: string): void {
  if (path === '') throw new BackpropError('an output path is empty; expected a file name');
  const target = outputTarget(path);
  try {
    const folder = statSync(dirname(target));
    if (!folder.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    accessSync(dirname(target), constants.W_OK);
  } catch (e) {
    throw new BackpropError(`${path}: cannot write the file (${reason(e)}); nothing was done`);
  }
}

function statSafe(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function trackTemporary(temp: string): void {
  pending.add(temp);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const t of pending) removeQuietly(t);
    });
  }
}

/** Removes staged files without replacing anything. */
export function discardFiles(staged: readonly StagedFile[]): void {
  for (const s of staged) {
    removeQuietly(s.temp);
    pending.delete(s.temp);
  }
}

/**
 * Renames staged files over their targets, in order. If one rename fails, the rest are discarded and the
 * error says exactly which outputs were written before it.
 */
export function commitFiles(staged: readonly StagedFile[]): void {
  const done: string[] = [];
  for (let i = 0; i < staged.length; i++) {
    const s = staged[i];
    try {
      renameSync(s.temp, s.target);
      pending.delete(s.temp);
    } catch (e) {
      discardFiles(staged.slice(i));
      const written = done.length ? `; already written: ${done.join(', ')}` : '; nothing was written';
      throw new BackpropError(`${s.path}: cannot replace the file (${reason(e)})${written}`);
    }
    done.push(s.path);
    syncFolder(dirname(s.target));
  }
}

/** Makes a rename durable: fsync on the folder (where the system allows it). */
function syncFolder(folder: string): void {
  try {
    const fd = openSync(folder, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // not every file system lets a folder be opened or synced; the rename itself is atomic either way
  }
}

/** Writes content to path atomically: readers see the old file or the whole new one, never a part. */
export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  commitFiles([stageFile(path, content)]);
}

/**
 * Writes a model file atomically (readers see the old file or the whole new one): a table Model, or a network
 * with its preprocessing. The bytes are what `backprop train --out` writes.
 */
export function saveModel(path: string, model: Model<object> | Network, preprocessing: Preprocessing | null = null): void {
  if (typeof path !== 'string') throw new BackpropError(`saveModel: expected a file name first, then the model; got ${typeof path}`, 'path');
  const m = model as Partial<Network> | null;
  if (!(model instanceof Model) && (typeof m !== 'object' || m === null || typeof m.toSpec !== 'function' || typeof m.getWeights !== 'function')) {
    throw new BackpropError(`saveModel: expected a Model (what train gives) or a Network, got ${m === null ? 'null' : typeof m}`, 'model');
  }
  writeFileAtomic(path, model instanceof Model ? model.stringify() : stringifyModel(model as Network, preprocessing));
}

/** The size of a file about to be read, or an error that says why it cannot be read. */
export function readableSize(path: string): number {
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw new BackpropError(`${path}: is a folder, not a file`);
    return stat.size;
  } catch (e) {
    if (e instanceof BackpropError) throw e;
    const code = errnoCode(e);
    throw new BackpropError(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read the file (${code})`);
  }
}

/** A model file's network and preprocessing (null for a bare network), checked as untrusted. */
export function loadNetwork(path: string, options: NetworkOptions = {}): LoadedModel {
  options = checkOptions(options, ['kernels'], 'loadModel options');
  const text = readModelText(path);
  return modelFromJSON(parseScanned(text, path), path, { kernels: options.kernels ?? defaultKernels() });
}

/**
 * A model file's text, scanned as it is read (io/model-file.ts's modelScan) a megabyte at a time: a file that is no
 * model, or whose lists are longer than its network needs, is refused at the first piece that shows it. Only a
 * regular file is opened (not a device, a FIFO or a folder, which may never end), and no more than the limit for
 * model files is read even where the size that stat gives is 0 (/proc).
 */
function readModelText(path: string): string {
  const file = openRegularFile(path);
  try {
    if (file.size > MAX_MODEL_BYTES) throw new BackpropError(`${path}: ${file.size} bytes is larger than the ${MAX_MODEL_BYTES}-byte limit for model files`);
    const scan = modelScan(path);
    const decoder = new TextDecoder('utf-8');
    const chunk = new Uint8Array(1 << 20);
    const pieces: string[] = [];
    for (let total = 0; ;) {
      const n = readSync(file.fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > MAX_MODEL_BYTES) throw new BackpropError(`${path}: more than the ${MAX_MODEL_BYTES}-byte limit for model files`);
      const piece = decoder.decode(chunk.subarray(0, n), { stream: true });
      scan.feed(piece);
      pieces.push(piece);
    }
    const last = decoder.decode();
    scan.feed(last);
    scan.end();
    pieces.push(last);
    return pieces.join('');
  } catch (e) {
    if (e instanceof BackpropError) throw e;
    throw new BackpropError(`${path}: cannot read the file (${reason(e)})`);
  } finally {
    closeQuietly(file);
  }
}

/**
 * A table model from its file (as train() or `backprop train --out` wrote it), ready to predict records. Its
 * network runs on the fastest kernels had at once (with backprop/node, the system's BLAS), as train's did.
 */
export function loadModel<Row extends object = Record<string, unknown>, P extends Prediction = Prediction>(path: string, options: NetworkOptions = {}): Model<Row, P> {
  const loaded = loadModelOrNetwork<Row, P>(path, options);
  if (!(loaded instanceof Model)) {
    throw new BackpropError(`${path}: this model has no column description (it was not trained from a table), so it cannot read records; loadNetwork reads its network`);
  }
  return loaded;
}

/**
 * A model file as a table model, or as its bare network where it has no column description (a network made and
 * saved on its own, as the seeds' worked examples are). The model is named after its file in messages.
 */
export function loadModelOrNetwork<Row extends object = Record<string, unknown>, P extends Prediction = Prediction>(path: string, options: NetworkOptions = {}): Model<Row, P> | Network {
  const { network, preprocessing } = loadNetwork(path, options);
  return preprocessing?.target ? new Model<Row, P>(network, preprocessing, null, path) : network;
}

/** Creates the folder an output goes in (and its parents), or says in one line why it cannot. */
export function makeFolder(folder: string, forPath: string): void {
  // Parent by parent rather than mkdirSync's recursive mode, which spins forever where mkdir answers ENOENT for a
  // parent that exists (/proc/new/folder).
  const missing: string[] = [];
  try {
    for (let current = resolve(folder); ; current = dirname(current)) {
      try {
        if (!statSync(current).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
        break;
      } catch (e) {
        if (errnoCode(e) !== 'ENOENT' || dirname(current) === current) throw e;
        missing.push(current);
      }
    }
    for (const path of missing.reverse()) {
      try {
        mkdirSync(path);
      } catch (e) {
        if (errnoCode(e) !== 'EEXIST') throw e;
      }
    }
  } catch (e) {
    throw new BackpropError(`${forPath}: cannot create the folder ${folder} (${reason(e)})`);
  }
}

/** Whether two paths name one file (through symlinks and hard links alike): the same device and inode. */
export function sameFile(a: string, b: string): boolean {
  try {
    const x = statSync(a);
    const y = statSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/** A regular file open for reading, with its size known before any byte is read. */
export interface OpenFile {
  fd: number;
  size: number;
}

/**
 * Opens a file for reading only if it is a regular file: a FIFO, a device (/dev/zero) or a folder is refused from
 * its stat, before it is opened, since reading one can block forever or never end. O_NONBLOCK keeps the open itself
 * from blocking should a FIFO be swapped in after the stat, and the open file is checked to be the one stat saw.
 */
export function openRegularFile(path: string, label = path): OpenFile {
  let stat: Stats;
  try {
    stat = statSync(path);
  } catch (e) {
    const code = errnoCode(e);
    throw new BackpropError(code === 'ENOENT' ? `${label}: no such file` : `${label}: cannot read the file (${reason(e)})`);
  }
  if (!stat.isFile()) throw new BackpropError(`${label}: is ${describeKind(stat)}; expected a regular file`);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new BackpropError(`${label}: cannot read the file (${reason(e)})`);
  }
  const opened = fstatSync(fd);
  if (!opened.isFile() || opened.dev !== stat.dev || opened.ino !== stat.ino) {
    closeSync(fd);
    throw new BackpropError(`${label}: the file changed while it was opened; expected a regular file`);
  }
  return { fd, size: opened.size };
}

/** Reads exactly `length` bytes from `position` into `into` at `at`; a file that ends sooner is an error. */
export function readExactly(file: OpenFile, into: Uint8Array, at: number, length: number, label: string, position = 0): void {
  let done = 0;
  while (done < length) {
    const n = readSync(file.fd, into, at + done, length - done, position + done);
    if (n === 0) throw new BackpropError(`${label}: the file ended after ${position + done} of ${position + length} bytes (it changed while it was read)`);
    done += n;
  }
}

/** Closes a file opened by openRegularFile; a failed close of a read-only file loses nothing. */
export function closeQuietly(file: OpenFile): void {
  try {
    closeSync(file.fd);
  } catch {
    // nothing was written
  }
}

/**
 * The real path of `name`, a file that a model in `folder` names (a weight file of a TensorFlow.js model.json), or
 * why it is refused: a plain relative name that stays inside the folder once symlinks are resolved, so a model
 * downloaded from a stranger cannot make backprop read /etc/passwd or the user's keys.
 */
export function fileInFolder(folder: string, name: string, label: string): string {
  if (name.includes('\0')) throw new BackpropError(`${label}: a file name with a NUL byte`);
  if (isAbsolute(name) || /^[a-zA-Z]:|^[\\/]/.test(name)) throw new BackpropError(`${label}: an absolute path; expected a file name relative to the model's folder`);
  if (name.split(/[\\/]/).includes('..')) throw new BackpropError(`${label}: a path with ".."; expected a file inside the model's folder`);
  let root: string;
  let real: string;
  try {
    root = realpathSync(folder);
    real = realpathSync(join(root, name));
  } catch (e) {
    throw new BackpropError(errnoCode(e) === 'ENOENT' ? `${label}: no such file beside the model` : `${label}: cannot read the file (${reason(e)})`);
  }
  const inside = relative(root, real);
  // "." or "./" names the folder itself, no file in it.
  if (inside === '') throw new BackpropError(`${label}: names the model's folder itself; expected a file inside it`);
  if (inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    throw new BackpropError(`${label}: a symbolic link to a file outside the model's folder; expected a file inside it`);
  }
  return real;
}
