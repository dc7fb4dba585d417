// Bad input to the backprop command: one line on stderr naming the file and the line, column or option,
// a non-zero exit code (2 for a bad command line), no stack trace, and an existing --out file left alone.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { backprop, BIN, ROOT, tempDir, writeFile } from './cli-helpers.js';

const dir = tempDir();
const csv = (name: string, text: string): string => writeFile(dir, name, text);
const good = csv('good.csv', 'a,b,label\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n');

function expectOneLineError(r: { code: number; stdout: string; stderr: string }, code: number, message: string | RegExp): void {
  expect(r.code).toBe(code);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  if (typeof message === 'string') expect(lines[0]).toBe(`backprop: ${message}`);
  else expect(lines[0]).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('bad data files', () => {
  const cases: [string, () => string, string][] = [
    ['a missing file', () => join(dir, 'missing.csv'), `${join(dir, 'missing.csv')}: no such file, and not a built-in data set (iris, digits, xor, circle, gauss, spiral, moons, plane, multigauss)`],
    ['an empty file', () => csv('empty.csv', ''), `${join(dir, 'empty.csv')}: the file is empty; expected CSV with a header row`],
    ['a header only', () => csv('header.csv', 'a,b,label\n'), `${join(dir, 'header.csv')}: has a header row but no data rows`],
    ['ragged rows', () => csv('ragged.csv', 'a,b,label\n1,2,x\n3,y\n5,6,x\n'), `${join(dir, 'ragged.csv')}, line 3: expected 3 values like the header, found 2`],
    ['a word in a numeric column', () => csv('word.csv', 'a,b,label\n1,2,x\n3,four,y\n5,6,x\n'),
      `${join(dir, 'word.csv')}, line 3, column 2 (b): "four" is not a number, though most of the column's values are (1 of 3 rows have words: "four" (1 row)); words among numbers are read as missing values where they are at most 5 different words in at most 25% of the rows: mark them missing with --na-values (naValues), or correct them`],
    ['an infinite value', () => csv('inf.csv', 'a,b,label\n1,2,x\n3,-Infinity,y\n5,6,x\n'), `${join(dir, 'inf.csv')}, line 3, column 2 (b): -Infinity is not a finite number; fill in a real value or remove the row`],
    ['a number too large', () => csv('huge.csv', 'a,b,label\n1,2,x\n3,1e999,y\n5,6,x\n'), `${join(dir, 'huge.csv')}, line 3, column 2 (b): 1e999 is too large to be a finite number`],
    ['a binary file', () => writeFile(dir, 'binary.csv', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2])), `${join(dir, 'binary.csv')}, line 1: not a text file (a zero byte at offset 4); expected CSV with a header row`],
    ['a file that is not UTF-8', () => writeFile(dir, 'latin1.csv', new Uint8Array([0x61, 0x2c, 0x62, 0x0a, 0xe9, 0x2c, 0x31, 0x0a])), `${join(dir, 'latin1.csv')}, line 2: not valid UTF-8 (the byte E9 at offset 4); expected CSV saved as UTF-8`],
    ['a one-class target', () => csv('oneclass.csv', 'a,b,label\n1,2,x\n3,4,x\n5,6,x\n'), `${join(dir, 'oneclass.csv')}: the target column "label" has only one class ("x"); classification needs at least two`],
    ['a duplicated column name', () => csv('dup.csv', 'a,a,label\n1,2,x\n3,4,y\n'), `${join(dir, 'dup.csv')}, line 1: the column name "a" appears twice (columns 1 and 2)`],
    ['an unclosed quote', () => csv('quote.csv', 'a,b,label\n1,2,"x\n'), `${join(dir, 'quote.csv')}, line 2: a quoted value is never closed (an unterminated quote)`],
  ];
  it.each(cases)('%s', (_name, make, message) => {
    expectOneLineError(backprop(['train', make(), '--epochs', '1']), 1, message);
  });

  // Missing values are filled by default (test/tables.test.ts); --missing error refuses them as before, by line.
  const strict: [string, () => string, string][] = [
    ['a missing value', () => csv('hole.csv', 'a,b,label\n1,2,x\n3,,y\n5,6,x\n'), `${join(dir, 'hole.csv')}, line 3, column 2 (b): missing value; fill it in or remove the row (missing values are errors here: missing "error")`],
    ['NaN', () => csv('nan.csv', 'a,b,label\n1,2,x\nNaN,4,y\n5,6,x\n'), `${join(dir, 'nan.csv')}, line 3, column 1 (a): missing value; fill it in or remove the row (missing values are errors here: missing "error")`],
    ['NA', () => csv('na.csv', 'a,b,label\n1,2,x\n3,4,y\n5,NA,x\n'), `${join(dir, 'na.csv')}, line 4, column 2 (b): missing value; fill it in or remove the row (missing values are errors here: missing "error")`],
  ];
  it.each(strict)('%s, with --missing error', (_name, make, message) => {
    expectOneLineError(backprop(['train', make(), '--epochs', '1', '--missing', 'error']), 1, message);
  });

  it('a target column that does not exist lists the columns', () => {
    expectOneLineError(backprop(['train', good, '--target', 'price']), 1, `${good}: no column "price" to use as the target; the columns are: a, b, label`);
  });
});

describe('bad options are usage errors (exit 2)', () => {
  const cases: [string[], string][] = [
    [['--layers', '16,x'], '--layers: expected a comma-separated list of positive integers like 16,8, got "16,x"'],
    [['--layers', '-4'], '--layers: expected a comma-separated list of positive integers like 16,8, got "-4"'],
    [['--lr', '-1'], '--lr: expected a positive number, got "-1"'],
    [['--lr', 'fast'], '--lr: expected a positive number, got "fast"'],
    [['--epochs', '0'], '--epochs: expected a positive integer, got "0"'],
    [['--validation', '1.5'], '--validation: expected a number from 0 to below 1, got "1.5"'],
    [['--activation', 'swish'], '--activation: expected one of sigmoid, tanh, relu, leaky-relu, linear, got "swish"'],
    [['--optimizer', 'adagrad'], '--optimizer: expected one of sgd, momentum, nesterov, rmsprop, adam, adamw, got "adagrad"'],
    [['--early-stopping', '3', '--validation', '0'], '--early-stopping: needs validation rows; drop --validation 0'],
    // The library's advice names its options; the command line's names the flags.
    [['--validation', '0.3', '--bagging', '5'], '--validation: with bagging 5 each network holds out its own fold (1/5 of the rows); drop --validation, or give --bagging 1 for one network with a validation share'],
    [['--dropout', '0.1,0.2,0.3'], '--dropout: 3 rates for 1 hidden layer; give one rate, or one per hidden layer'],
    [['--backend', 'gpu'], '--backend: expected one of auto, blas, wasm, reference, got "gpu"'],
    [['--threads', '0'], '--threads: expected a whole number of threads from 1 to 1024, or auto, got "0"'],
  ];
  it.each(cases)('%j', (args, message) => {
    expectOneLineError(backprop(['train', good, ...args]), 2, message);
  });

  it('an unknown option or a missing argument: one line with the prefix, as typed', () => {
    expectOneLineError(backprop(['train', good, '--colour', 'red']), 2, "unknown option '--colour' (see backprop train --help)");
    expectOneLineError(backprop(['train']), 2, "missing required argument 'data' (see backprop train --help)");
    expectOneLineError(backprop(['explain', 'examples/seed-exercise.json', '--input', '1,2,3']), 2,
      "required option '--target <values>' not specified (see backprop explain --help)");
    expectOneLineError(backprop(['--bogus']), 2, "unknown option '--bogus' (see backprop --help)");
    expectOneLineError(backprop(['trian', 'iris']), 2, /^backprop: unknown command 'trian' \(Did you mean train\?\) \(see backprop --help\)$/);
  });
});

describe('bad model files and mismatched inputs', () => {
  const model = join(dir, 'model.json');
  backprop(['train', good, '--epochs', '2', '--out', model, '--quiet', '--validation', '0']);

  it('a model file that is not a valid model', () => {
    const notModel = csv('not-model.json', '{"format":"backprop-model","version":1}');
    expectOneLineError(backprop(['predict', notModel, good]), 1, `${notModel}: model.network: missing; every model needs this field`);
    expectOneLineError(backprop(['evaluate', good, good]), 1, `${good}: not a model file: it is text, but not JSON (a model file starts with "{")`);
    expectOneLineError(backprop(['explain', join(dir, 'nothing.json'), '--input', '1', '--target', '1']), 1, `${join(dir, 'nothing.json')}: no such file`);
  });

  it('predict input that lacks a column of the model', () => {
    const other = csv('other.csv', 'a,c\n1,2\n');
    const r = backprop(['predict', model, other]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`backprop: ${other}: the columns do not match the model's; missing: b. The model expects: a, b\n`);
  });

  it('explain input of the wrong width names the layer', () => {
    expectOneLineError(backprop(['explain', 'examples/seed-exercise.json', '--input', '1,2', '--target', '0.5']), 2,
      '--input: layer 1 (3 inputs → 2 units, sigmoid) expects 3 input values, got 2');
  });
});

describe('a failed or interrupted run leaves --out alone', () => {
  it('failing on bad data does not touch an existing model file', () => {
    const out = csv('keep.json', 'the good model');
    const r = backprop(['train', join(dir, 'word.csv'), '--out', out]);
    expect(r.code).toBe(1);
    expect(readFileSync(out, 'utf8')).toBe('the good model');
  });

  it('Ctrl-C during training exits 130, writes nothing and leaves the old file whole', async () => {
    const out = join(dir, 'interrupted.json');
    writeFileSync(out, 'the good model');
    const child = spawn(process.execPath, [BIN, 'train', 'digits', '--epochs', '1000', '--out', out], { cwd: ROOT });
    let stdout = '', stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        if (/epoch +1\/1000/.test(stdout)) {
          child.kill('SIGINT');
          resolve();
        }
      });
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
    expect(stderr).toMatch(/^backprop: interrupted in epoch \d+; nothing was written \(.*interrupted\.json unchanged\)\n$/);
    expect(readFileSync(out, 'utf8')).toBe('the good model');
  }, 60_000);
});

describe('an output that is an input, or the other output', () => {
  it('is refused before anything runs, in one line naming both; the input is left as it was', async () => {
    const { linkSync, mkdirSync, symlinkSync } = await import('node:fs');
    const sub = join(dir, 'same-file');
    mkdirSync(sub, { recursive: true });
    const data = join(sub, 'd.csv'), model = join(sub, 'm.json');
    writeFileSync(data, readFileSync(join(ROOT, 'data/iris.csv')));
    symlinkSync(data, join(sub, 'link.json'));
    linkSync(data, join(sub, 'hard.csv'));
    const made = backprop(['train', data, '--epochs', '1', '--bagging', '1', '--out', model, '--quiet']);
    expect(made.code, made.stderr).toBe(0);
    const before = [readFileSync(data), readFileSync(model)];
    const quick = ['--epochs', '1', '--bagging', '1', '--quiet'];
    const cases: [string[], string][] = [
      [['train', data, ...quick, '--out', data], `--out ${data}: the same file as the input ${data}`],
      [['train', data, ...quick, '--out', join(sub, 'link.json')], `--out ${join(sub, 'link.json')}: the same file as the input ${data}`],
      [['train', join(sub, 'hard.csv'), ...quick, '--out', data], `--out ${data}: the same file as the input ${join(sub, 'hard.csv')}`],
      [['train', data, ...quick, '--plot', data], `--plot ${data}: the same file as the input ${data}`],
      [['train', data, ...quick, '--out', join(sub, 'new.json'), '--plot', `${sub}/./new.json`], `--plot ${sub}/./new.json: the same file as --out ${join(sub, 'new.json')}`],
      [['train', data, ...quick, '--out', model, '--plot', model], `--plot ${model}: the same file as --out ${model}`],
      [['tune', data, '--trials', '1', '--epochs', '1', '--quiet', '--out', data], `--out ${data}: the same file as the input ${data}`],
      [['importance', model, data, '--plot', model], `--plot ${model}: the same file as the input ${model}`],
      [['importance', model, data, '--plot', data], `--plot ${data}: the same file as the input ${data}`],
    ];
    for (const [args, message] of cases) {
      const r = backprop(args);
      expect(r.stderr, args.join(' ')).toBe(`backprop: ${message}; give another name\n`);
      expect(r.code, args.join(' ')).toBe(2);
    }
    expect([readFileSync(data), readFileSync(model)]).toEqual(before);
  }, 60_000);
});

describe('a limit on the address space (ulimit -v)', () => {
  it('that WebAssembly cannot reserve its memory under is one line, not an internal error with a stack trace', async () => {
    const { spawnSync } = await import('node:child_process');
    const model = join(dir, 'ulimit.json');
    expect(backprop(['train', 'iris', '--epochs', '1', '--bagging', '1', '--out', model, '--quiet']).code).toBe(0);
    const r = spawnSync('bash', ['-c', `ulimit -v 4000000; exec "${process.execPath}" "${BIN}" predict "${model}" "${join(ROOT, 'data/iris.csv')}"`], { encoding: 'utf8' });
    expect(r.stderr).toMatch(/^backprop: the WebAssembly kernels could not reserve their memory \(.*\); WebAssembly reserves several GB of addresses, which a limit on this process's \(ulimit -v\) may refuse\n$/);
    expect(r.status).toBe(1);
  }, 60_000);
});

describe('an interrupt while train reads its data', () => {
  it('ends the process at once with exit 130 and one line, writing nothing', async () => {
    const { gzipSync } = await import('node:zlib');
    // Three million rows in 35 KB: DuckDB counts and reads them for seconds of CPU.
    const data = join(dir, 'slow.csv.gz'), out = join(dir, 'never-read.json');
    writeFileSync(data, gzipSync('a,b,c\n' + '1,2,3\n4,5,6\n'.repeat(1_500_000), { level: 9 }));
    const child = spawn(process.execPath, [BIN, 'train', data, '--out', out], { cwd: ROOT });
    let stderr = '', stdout = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => (stdout += d));
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Past starting (0.3 s of CPU, when the handler is set) and well short of the read's end, by the CPU it used:
    // the clock would depend on the machine's load.
    const cpu = (): number => {
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100;
    };
    while (cpu() < 1) await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill('SIGTERM');
    expect(await closed).toBe(130);
    expect(stdout).toBe('');
    expect(stderr).toBe('backprop: interrupted while reading the data; nothing was written\n');
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});

describe('a comment line above the header', () => {
  it('is named in the message about the row that follows (it read as a header of one column)', () => {
    const file = writeFile(dir, 'commented.csv', '# exported 2026-12-07\na,b,y\n1,2,x\n3,4,y\n');
    const r = backprop(['train', file]);
    expect(r.stderr).toBe(`backprop: ${file}, line 2: expected 1 values like the header, found 3; line 1, the header, is "# exported 2026-12-07": if it is a comment, remove it\n`);
    expect(r.code).toBe(1);
    // A header of one column that is no comment: the message as it was.
    const one = writeFile(dir, 'one.csv', 'a\n1,2\n');
    expect(backprop(['train', one]).stderr).toBe(`backprop: ${one}, line 2: expected 1 values like the header, found 2\n`);
  });
});

describe('an interrupt while train reads standard input', () => {
  it('is taken while the producer still writes (the read held it until the stream closed)', async () => {
    const out = join(dir, 'never-stdin.json');
    const child = spawn(process.execPath, [BIN, 'train', '-', '--out', out], { cwd: ROOT });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // A megabyte is taken only by a reader: once it is written the command is reading (its handler set). The
    // stream stays open, as a producer's that has more to write.
    await new Promise<void>((resolve) => child.stdin.write('a,b,c\n' + '1,2,x\n'.repeat(200_000), () => resolve()));
    child.kill('SIGTERM');
    expect(await closed).toBe(130);
    expect(stderr).toBe('backprop: interrupted while reading the data; nothing was written\n');
    expect(existsSync(out)).toBe(false);
    child.stdin.destroy();
  }, 60_000);
});
