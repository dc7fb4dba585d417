// The backprop command as a careless or hostile user finds it: full disks, file-size limits, symlinks and
// devices as --out, closed pipes, signals during the save, and the small surprises of its options.
import { describe, expect, it } from 'vitest';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { backprop, BIN, ROOT, tempDir, writeFile } from './cli-helpers.js';

const dir = tempDir();
const good = writeFile(dir, 'good.csv', 'a,b,label\n' + Array.from({ length: 40 }, (_, i) => `${i % 7},${(i * 3) % 5},${i % 2 ? 'x' : 'y'}`).join('\n') + '\n');

function oneLine(r: { code: number; stderr: string }, code: number, message: string | RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  if (typeof message === 'string') expect(lines[0]).toBe(`backprop: ${message}`);
  else expect(lines[0]).toMatch(message);
}

const temporaries = (folder: string): string[] => readdirSync(folder).filter((f) => f.endsWith('.backprop-tmp'));

/** Mounts a tmpfs of the given size, where this process may (root, and a kernel that lets it); null elsewhere. */
function smallDisk(kib: number): string | null {
  const mount = join(tempDir(), 'disk');
  mkdirSync(mount);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k`, 'tmpfs', mount]);
  return r.status === 0 ? mount : null;
}

// Files, pipes and limits, with one network on the scaled inputs (--bagging 1 --bins 0): the models stay as small and
// quick as these tests were written for (the defaults' five networks and bins are tested in bagging.test.ts).
describe('a full disk or a file-size limit never costs the old model', () => {
  const disk = smallDisk(64);
  it.skipIf(disk === null)('a model too large for a 64 KiB tmpfs: one clear line, exit 1, the old file byte-identical, no temporary file', () => {
    const out = join(disk!, 'm.json');
    expect(backprop(['train', '--bagging', '1', '--bins', '0', 'iris', '--layers', '4', '--epochs', '1', '--quiet', '--out', out]).code).toBe(0);
    const before = readFileSync(out);
    const r = backprop(['train', '--bagging', '1', '--bins', '0', 'iris', '--layers', '512,512', '--epochs', '1', '--quiet', '--out', out]);
    oneLine(r, 1, `${out}: cannot write the file (no space left on the device); the existing file is unchanged`);
    expect(readFileSync(out).equals(before)).toBe(true);
    expect(temporaries(disk!)).toEqual([]);
    spawnSync('umount', [disk!]);
  }, 60_000);

  it('a model larger than the file-size limit (ulimit -f): the same', () => {
    const out = writeFile(dir, 'limited.json', 'the good model');
    const r = spawnSync('bash', ['-c', `ulimit -f 64; exec "${process.execPath}" "${BIN}" train iris --bagging 1 --bins 0 --layers 512,512 --epochs 1 --quiet --out "${out}"`], { cwd: ROOT, encoding: 'utf8' });
    oneLine({ code: r.status ?? -1, stderr: r.stderr }, 1,
      `${out}: cannot write the file (the file would be larger than this process may write (a file-size limit)); the existing file is unchanged`);
    expect(readFileSync(out, 'utf8')).toBe('the good model');
    expect(temporaries(dir)).toEqual([]);
  }, 60_000);
});

describe('what --out and --plot may replace', () => {
  it('a symlink: the file it points to is updated and the link kept', () => {
    const target = writeFile(dir, 'real-model.json', 'old');
    const link = join(dir, 'link.json');
    symlinkSync('real-model.json', link);
    expect(backprop(['train', '--bagging', '1', '--bins', '0', good, '--epochs', '1', '--quiet', '--out', link]).code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe('real-model.json');
    expect(JSON.parse(readFileSync(target, 'utf8')).format).toBe('backprop-model');
  });

  // mknod needs root (which CI has); elsewhere this one is skipped, not passed.
  const device = join(tempDir(), 'null-device');
  const made = spawnSync('mknod', [device, 'c', '1', '3']).status === 0;
  it.skipIf(!made)('a character device is refused and left alone', () => {
    const r = backprop(['train', '--bagging', '1', '--bins', '0', good, '--epochs', '1', '--quiet', '--out', device]);
    oneLine(r, 1, `${device}: is a character device; backprop replaces only regular files, and leaves this one alone`);
    expect(statSync(device).isCharacterDevice()).toBe(true);
  });

  it('a folder is refused', () => {
    oneLine(backprop(['train', good, '--epochs', '1', '--quiet', '--out', dir]), 1, `${dir}: is a folder; backprop replaces only regular files, and leaves this one alone`);
  });

  it('--out - writes the model to standard output and the report to stderr', () => {
    const r = backprop(['train', '--bagging', '1', '--bins', '0', good, '--epochs', '2', '--out', '-']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).format).toBe('backprop-model');
    expect(r.stderr).toMatch(/model {4}written to standard output/);
  });

  it('--plot into a missing folder fails before anything is written: --out keeps its old contents', () => {
    const out = writeFile(dir, 'kept.json', 'the good model');
    const plot = join(dir, 'no-such-folder', 'p.svg');
    const r = backprop(['train', '--bagging', '1', '--bins', '0', good, '--epochs', '1', '--quiet', '--out', out, '--plot', plot]);
    oneLine(r, 1, `${plot}: cannot write the file (no such folder); nothing was done`);
    expect(readFileSync(out, 'utf8')).toBe('the good model');
    expect(temporaries(dir)).toEqual([]);
  });

  it('an output that cannot be written is refused before the data is read or a network trains (train and tune)', () => {
    const model = join(dir, 'no-such-folder', 'm.json');
    // Not quiet: the plan's first line would come before any training; none comes.
    for (const args of [['train', good, '--out', model], ['train', good, '--plot', join(dir, 'no-such-folder', 'p.svg')], ['tune', good, '--trials', '2', '--out', model]]) {
      const r = backprop(args);
      expect(r.stdout, args.join(' ')).toBe('');
      oneLine(r, 1, `${args.at(-1)}: cannot write the file (no such folder); nothing was done`);
    }
    // The same check with the data missing too: the output is what is said, before the data is looked for.
    oneLine(backprop(['train', join(dir, 'missing.csv'), '--out', model]), 1, `${model}: cannot write the file (no such folder); nothing was done`);
  });

  it('empty file names are usage errors', () => {
    oneLine(backprop(['train', good, '--out', '']), 2, '--out: expected a file name, got ""');
    oneLine(backprop(['train', good, '--plot', '']), 2, '--plot: expected a file name, got ""');
  });
});

describe('interrupted saves', () => {
  /** Starts a training run whose model file is large (tens of MB), so that its save takes a while. */
  const bigRun = (out: string) => spawn(process.execPath, [BIN, 'train', 'iris', '--layers', '1400,1400', '--epochs', '1', '--validation', '0', '--out', out], { cwd: ROOT });

  it('SIGKILL during the save leaves the old model; the next save removes the temporary file', async () => {
    const folder = tempDir();
    const out = writeFile(folder, 'm.json', 'the good model');
    const child = bigRun(out);
    // Kill it as soon as its temporary file appears, in the middle of writing it.
    const seen = await new Promise<boolean>((resolve) => {
      const poll = setInterval(() => {
        if (temporaries(folder).length) {
          child.kill('SIGKILL');
          clearInterval(poll);
          resolve(true);
        }
      }, 1);
      child.on('close', () => {
        clearInterval(poll);
        resolve(false);
      });
    });
    await new Promise((resolve) => child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.on('close', resolve));
    expect(seen).toBe(true);
    expect(readFileSync(out, 'utf8')).toBe('the good model');
    expect(temporaries(folder)).toHaveLength(1);
    expect(backprop(['train', '--bagging', '1', '--bins', '0', good, '--epochs', '1', '--quiet', '--out', join(folder, 'other.json')]).code).toBe(0);
    expect(temporaries(folder)).toEqual([]);
  }, 60_000);

  it('Ctrl-C after training, while the model is being written: nothing is written, exit 130', async () => {
    const out = writeFile(dir, 'ctrl-c.json', 'the good model');
    const child = bigRun(out);
    let stdout = '', stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => {
      stdout += d;
      // The last epoch is done: what follows is the metrics and the save.
      if (/epoch 1\/1/.test(stdout)) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
    expect(stderr).toBe(`backprop: interrupted before the outputs were written; nothing was written (${out} unchanged)\n`);
    expect(readFileSync(out, 'utf8')).toBe('the good model');
    expect(temporaries(dir)).toEqual([]);
  }, 60_000);
});

describe('a closed pipe ends every subcommand quietly', () => {
  const model = join(dir, 'pipe-model.json');
  backprop(['train', '--bagging', '1', '--bins', '0', good, '--epochs', '2', '--quiet', '--out', model]);
  const many = writeFile(dir, 'many.csv', 'a,b,label\n' + Array.from({ length: 20_000 }, (_, i) => `${i % 7},${(i * 3) % 5},${i % 2 ? 'x' : 'y'}`).join('\n') + '\n');
  const commands: [string, string][] = [
    ['datasets', 'datasets'],
    ['--help', '--help'],
    ['train', `train ${good} --bagging 1 --bins 0 --epochs 50`],
    ['predict', `predict ${model} ${many}`],
    ['evaluate', `evaluate ${model} ${many}`],
    ['explain', 'explain examples/seed-worked-example.json --input 0.1,0.3 --target 1'],
    ['gradcheck', `gradcheck ${model} ${good}`],
  ];
  it.each(commands)('%s | head -1', (_name, args) => {
    const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${BIN}" ${args} | head -1`], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toBe('');
    expect([0, 141]).toContain(r.status);
  }, 30_000);
});

describe('options say what they mean', () => {
  it('--validation that leaves no rows names --validation, as a usage error', () => {
    const tiny = writeFile(dir, 'tiny.csv', 'a,label\n1,x\n2,y\n3,x\n4,y\n');
    oneLine(backprop(['train', tiny, '--validation', '0.1']), 2, '--validation: 0.1 of 4 rows leaves no validation rows; use a larger share, more rows, or --validation 0');
  });

  it('the default share that leaves no rows of a tiny table is the data\'s fault, not an option never typed (exit 1)', () => {
    const two = writeFile(dir, 'two.csv', 'a,b,y\r\n1,2,x\r\n3,4,y\r\n');
    oneLine(backprop(['train', two]), 1, `${two}: the default validation share 0.2 of 2 rows leaves no validation rows; use a larger share, more rows, or --validation 0`);
  });

  it('--seed beyond a safe integer is a usage error', () => {
    oneLine(backprop(['train', good, '--seed', '99999999999999999999']), 2, '--seed: expected an integer from -9007199254740991 to 9007199254740991, got "99999999999999999999"');
  });

  it('--samples out of range is a usage error; --samples and --noise on a file are refused', () => {
    oneLine(backprop(['train', 'circle', '--samples', '1']), 2, '--samples: expected an integer from 2 to 1000000, got "1"');
    oneLine(backprop(['train', 'iris', '--samples', '50']), 2, '--samples: only for the synthetic data sets (xor, circle, gauss, spiral, moons, plane, multigauss), not "iris"');
    oneLine(backprop(['train', good, '--noise', '0.5']), 2, `--noise: only for the synthetic data sets (xor, circle, gauss, spiral, moons, plane, multigauss), not ${JSON.stringify(good)}`);
  });

  it('--layers "" is a usage error (0 means no hidden layer)', () => {
    oneLine(backprop(['train', good, '--layers', '']), 2, '--layers: expected a comma-separated list of positive integers like 16,8, got ""');
    expect(backprop(['train', '--bagging', '1', '--bins', '0', good, '--layers', '0', '--epochs', '1', '--quiet']).code).toBe(0);
  });

  it('explain names the classes when --target is not one', () => {
    const model = join(dir, 'iris.json');
    expect(backprop(['train', 'iris', '--epochs', '1', '--quiet', '--out', model]).code).toBe(0);
    oneLine(backprop(['explain', model, '--input', '5,3,1,0.2', '--target', 'daisy']), 2,
      '--target: "daisy" is not a class of this model; its classes are: setosa, versicolor, virginica');
  });
});

describe('predict', () => {
  const model = join(dir, 'predict-model.json');
  backprop(['train', good, '--epochs', '3', '--quiet', '--out', model]);
  const rows = writeFile(dir, 'with-id.csv', 'id,a,b,notes\nr1,1,2,first\nr2,3,4,"second, with a comma"\n');

  it('ignores columns the model does not use, naming them once on stderr', () => {
    const r = backprop(['predict', model, rows]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`backprop: note: ${rows}: not used by the model, left out: id, notes\n`);
    expect(r.stdout.split('\n')[0]).toBe('label,p(x),p(y)');
  });

  it('--keep copies columns into the output; --digits sets the precision (6 by default)', () => {
    const r = backprop(['predict', model, rows, '--keep', 'id,notes', '--digits', '3']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('id,notes,label,p(x),p(y)');
    expect(lines[2]).toMatch(/^r2,"second, with a comma",[xy],0\.\d{1,3},0\.\d{1,3}$/);
    const full = backprop(['predict', model, rows]).stdout.trim().split('\n')[1].split(',');
    expect(full[1].replace(/^0\./, '').length).toBeLessThanOrEqual(6);
    const json = JSON.parse(backprop(['predict', model, rows, '--keep', 'id', '--json']).stdout);
    expect(json[0].id).toBe('r1');
    oneLine(backprop(['predict', model, rows, '--keep', 'nope']), 2, `--keep: ${rows} has no column "nope"; its columns are: id, a, b, notes`);
  });

  it('a padded number, a quoted newline included, is still a number', () => {
    const padded = writeFile(dir, 'padded.csv', 'a,b\n" 12 ","0.5\n"\n3,4\n');
    const r = backprop(['predict', model, padded]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(3);
  });
});

describe('the package', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

  it('has a LICENSE for the license it names, no install scripts, and an engines field that matches ESM-only', () => {
    expect(pkg.license).toBe('MIT');
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    expect(Object.keys(pkg.scripts)).not.toContain('prepare');
    expect(Object.keys(pkg.scripts)).not.toContain('install');
    expect(Object.keys(pkg.scripts)).not.toContain('postinstall');
    expect(pkg.engines.node).toBe('>=20.19');
  });

  it('ships no source maps, and its generated kernel module types as a string, not the whole binary', () => {
    const maps = execFileSync('find', [join(ROOT, 'dist'), '-name', '*.map'], { encoding: 'utf8' }).trim();
    expect(maps).toBe('');
    expect(statSync(join(ROOT, 'dist/core/wasm/binary.d.ts')).size).toBeLessThan(1000);
  });

  it('version agrees with package.json', () => {
    expect(backprop(['--version']).stdout.trim()).toBe(pkg.version);
  });

  it('data/README.md names the function that exists', () => {
    const text = readFileSync(join(ROOT, 'data/README.md'), 'utf8');
    expect(text).toContain('loadBuiltin');
    expect(text).not.toContain('loadDataset');
  });

  it('a CHANGELOG exists', () => {
    expect(existsSync(join(ROOT, 'CHANGELOG.md'))).toBe(true);
  });
});
