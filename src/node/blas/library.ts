// Finding the system's BLAS and binding its matrix products through the koffi FFI package (prebuilt, no
// compiler at install). The library is looked for by the usual names, or where BACKPROP_BLAS or the
// `library` option says; not finding one is an answer (null), never a crash.
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { platform } from 'node:os';
import { BackpropError, quoted } from '../../core/errors.js';

/** Row-major storage, and no / yes transposition, as cblas.h numbers them. */
export const CBLAS_ROW_MAJOR = 101, CBLAS_NO_TRANS = 111, CBLAS_TRANS = 112;

type Gemm<T> = (order: number, transA: number, transB: number, m: number, n: number, k: number, alpha: number,
  a: T, lda: number, b: T, ldb: number, beta: number, c: T, ldc: number) => void;

export interface BlasLibrary {
  /** The file that was loaded, e.g. libopenblas.so.0. */
  readonly path: string;
  /** What it says of itself (OpenBLAS's configuration string), or its file name. */
  readonly description: string;
  readonly sgemm: Gemm<Float32Array>;
  readonly dgemm: Gemm<Float64Array>;
  /** Sets the library's own thread count, where it has a call for that. */
  readonly setThreads: ((threads: number) => void) | null;
}

/** Where a BLAS usually is, most capable first. */
export function candidateLibraries(): string[] {
  if (platform() === 'darwin') return ['/System/Library/Frameworks/Accelerate.framework/Accelerate', 'libopenblas.dylib'];
  if (platform() === 'win32') return ['libopenblas.dll', 'mkl_rt.2.dll', 'mkl_rt.dll'];
  return [
    'libopenblas.so.0', 'libopenblas.so', 'libopenblasp.so.0',
    'libmkl_rt.so.2', 'libmkl_rt.so',
    'libblis.so.4', 'libblis.so.3', 'libblis.so',
    'libflexiblas.so.3',
  ];
}

interface Koffi {
  load(path: string): { func(signature: string): (...args: unknown[]) => unknown };
}

const cache = new Map<string, BlasLibrary | null>();

/**
 * Loads the BLAS at `library` (a file name or path), or the first of the usual ones that loads. Returns null
 * when none does; with `required`, throws a BackpropError naming everything that was tried instead.
 */
export async function loadBlas(library?: string, required = false): Promise<BlasLibrary | null> {
  return loadBlasSync(library, required);
}

/**
 * loadBlas without waiting: koffi is loaded with require, and the library bound at once. Without `library`, the one
 * BACKPROP_BLAS names: a library named there that does not load is an error even where none is required (the
 * user asked for that one; falling back to another would time and train on a library they did not choose).
 */
export function loadBlasSync(library?: string, required = false): BlasLibrary | null {
  const fromEnvironment = library === undefined && !!process.env.BACKPROP_BLAS;
  if (fromEnvironment) library = process.env.BACKPROP_BLAS;
  const key = library ?? '';
  let blas = cache.get(key);
  if (blas === undefined) {
    blas = find(library);
    cache.set(key, blas);
  }
  if (!blas && fromEnvironment) {
    const why = notAFile(library!);
    throw new BackpropError(`BACKPROP_BLAS: ${quoted(library, 200)} ${why ?? 'could not be loaded as a BLAS library'}; expected the file name or path of one with cblas_sgemm and cblas_dgemm (such as libopenblas.so.0), or leave BACKPROP_BLAS unset to use the usual names`, 'BACKPROP_BLAS');
  }
  if (!blas && required) {
    const tried = library ? [library] : candidateLibraries();
    // A library named by the caller is quoted and shortened, as BACKPROP_BLAS's is: the name may be anything.
    throw new BackpropError(`backend: blas: no BLAS library could be loaded (tried ${library ? quoted(library, 200) : tried.join(', ')}${library ? '' : '; name one with BACKPROP_BLAS=/path/to/libopenblas.so'}); on Debian, apt-get install libopenblas0-pthread`, 'backend');
  }
  return blas;
}

function find(library: string | undefined): BlasLibrary | null {
  let koffi: Koffi;
  try {
    koffi = createRequire(import.meta.url)('koffi') as Koffi;
  } catch {
    return null; // the FFI package has no binary for this platform
  }
  for (const path of library ? [library] : candidateLibraries()) {
    if (notAFile(path)) continue;
    try {
      return bind(koffi, path);
    } catch {
      // not there, or not a BLAS: try the next
    }
  }
  return null;
}

/**
 * Why a path (a name with a slash; bare names are looked up by the loader in the system's folders) cannot be a
 * library, or null: the loader would open a FIFO or a terminal and wait on it forever, so only a regular file is
 * handed to it.
 */
function notAFile(path: string): string | null {
  if (!/[/\\]/.test(path)) return null;
  try {
    const stat = statSync(path);
    if (stat.isFile()) return null;
    const kind = stat.isDirectory() ? 'a folder' : stat.isFIFO() ? 'a FIFO' : stat.isCharacterDevice() || stat.isBlockDevice() ? 'a device' : stat.isSocket() ? 'a socket' : 'not a regular file';
    return `is ${kind}, not a library file`;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'does not exist' : code === 'ENAMETOOLONG' ? 'is longer than a path can be' : `cannot be read (${code})`;
  }
}

function bind(koffi: Koffi, path: string): BlasLibrary {
  const lib = koffi.load(path);
  const signature = (type: string, name: string): string =>
    `void ${name}(int order, int transA, int transB, int m, int n, int k, ${type} alpha, const ${type} *a, int lda, ` +
    `const ${type} *b, int ldb, ${type} beta, _Inout_ ${type} *c, int ldc)`;
  const sgemm = lib.func(signature('float', 'cblas_sgemm')) as Gemm<Float32Array>;
  const dgemm = lib.func(signature('double', 'cblas_dgemm')) as Gemm<Float64Array>;
  const optional = (sig: string): ((...args: unknown[]) => unknown) | null => {
    try {
      return lib.func(sig);
    } catch {
      return null;
    }
  };
  const config = optional('const char *openblas_get_config()');
  const setThreads = optional('void openblas_set_num_threads(int n)') ?? optional('void bli_thread_set_num_threads(int n)') ?? optional('void MKL_Set_Num_Threads(int n)');
  return {
    path,
    description: config ? String(config()).split(' ').slice(0, 2).join(' ') : path.split('/').pop()!,
    sgemm,
    dgemm,
    setThreads: setThreads && ((threads: number) => void setThreads(threads)),
  };
}
