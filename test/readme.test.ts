// The README's TypeScript examples, run as written: every ```ts block is type-checked against the built
// package and executed as a module that imports 'backprop' and 'backprop/node' (a block marked ```ts fragment
// is skipped). Where a line's comment claims a value (`t.output;  // [0.512…]`, `const c = f();  // ['a', 'b']`,
// `console.log(x);  // ≈ [[0.0004]]`), the value is checked: `…` means the digits shown are the value's
// leading digits, `≈` that it rounds to what is shown within one unit of the last digit, and a plain number
// that it rounds to what is shown.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from './cli-helpers.js';

interface Block { line: number; code: string }

function blocks(markdown: string): Block[] {
  const found: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '```ts') continue;
    const start = i + 1;
    let end = start;
    while (lines[end].trim() !== '```') end++;
    found.push({ line: start + 1, code: lines.slice(start, end).join('\n') });
    i = end;
  }
  return found;
}

/** The claim at the start of a comment, if the comment starts with a value: a list, a number, a string, true or false. */
export function leadingClaim(comment: string): string | null {
  const text = comment.trim();
  const approx = text.startsWith('≈ ') ? '≈ ' : '';
  const body = text.slice(approx.length);
  if (body.startsWith('[')) {
    let depth = 0;
    for (let i = 0; i < body.length; i++) {
      if (body[i] === '[') depth++;
      if (body[i] === ']' && --depth === 0) return approx + body.slice(0, i + 1);
    }
    return null;
  }
  // A lone value: at the end, before a semicolon, or before a wide gap and an annotation ("0.5   ŷ"), not prose ("150 rows").
  const m = /^(true|false|-?\d[\d.]*…?|'[^']*')(?=$|;|\s{2,})/.exec(body);
  return m ? approx + m[1] : null;
}

/** Rewrites lines whose trailing comment claims a value into checks of that value. */
function instrument(code: string, firstLine: number): string {
  return code.split('\n').map((line, i) => {
    const m = /^(\s*)(.*?);\s*\/\/(.*)$/.exec(line);
    if (!m) return line;
    const claim = leadingClaim(m[3]);
    if (claim === null) return line;
    const where = `README.md line ${firstLine + i}`;
    const statement = m[2];
    const log = /^console\.log\((.*)\)$/.exec(statement);
    const declaration = /^(const|let)\s+(\w+)\s*=/.exec(statement);
    if (declaration) return `${line}\n${m[1]}__check(${declaration[2]}, ${JSON.stringify(claim)}, ${JSON.stringify(where)});`;
    return `${m[1]}__check(${log ? log[1] : statement}, ${JSON.stringify(claim)}, ${JSON.stringify(where)});`;
  }).join('\n');
}

const CHECK = `
type Token = string;
function tokens(text: string): Token[] {
  return text.match(/\\[|\\]|,|'[^']*'|-?\\d[\\d.]*(e-?\\d+)?…?|true|false/g) ?? [];
}
function parse(ts: Token[]): unknown {
  const t = ts.shift()!;
  if (t === '[') {
    const list: unknown[] = [];
    while (ts[0] !== ']') {
      list.push(parse(ts));
      if (ts[0] === ',') ts.shift();
    }
    ts.shift();
    return list;
  }
  if (t === 'true' || t === 'false') return t === 'true';
  if (t.startsWith("'")) return t.slice(1, -1);
  return t;
}
function same(actual: unknown, claim: unknown, approx: boolean): boolean {
  if (Array.isArray(claim)) {
    const list = ArrayBuffer.isView(actual) ? Array.from(actual as unknown as ArrayLike<number>) : actual;
    return Array.isArray(list) && list.length === claim.length && claim.every((c, i) => same(list[i], c, approx));
  }
  if (typeof claim === 'string' && /^-?\\d/.test(claim)) {
    if (typeof actual !== 'number') return false;
    const digits = claim.replace('…', '');
    const decimals = (digits.split('.')[1] ?? '').length;
    const unit = 10 ** -decimals;
    const shown = Number(digits);
    if (claim.endsWith('…')) return Math.abs(actual) >= Math.abs(shown) - 1e-15 && Math.abs(actual) < Math.abs(shown) + unit && Math.sign(actual) === Math.sign(shown);
    return Math.abs(actual - shown) <= (approx ? unit : unit / 2) + 1e-12;
  }
  return actual === claim;
}
export function __check(actual: unknown, claim: string, where: string): void {
  const approx = claim.startsWith('≈ ');
  if (!same(actual, parse(tokens(claim)), approx)) {
    throw new Error(where + ': the comment claims ' + claim + ', but the value is ' + JSON.stringify(actual));
  }
}
`;

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const all = blocks(readme);

describe('README.md', () => {
  it('its first lines give the set-up commands for a fresh clone, and package.json has them', () => {
    const first = readme.split('\n').slice(0, 12).join('\n');
    expect(first).toMatch(/^npm install && npm start\b/m);
    expect(first).toMatch(/^npm test\b/m);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.scripts.start).toBeTruthy();
    expect(pkg.scripts.test).toBeTruthy();
  });

  it('has TypeScript examples', () => {
    expect(all.length).toBeGreaterThanOrEqual(4);
  });

  it('every example type-checks and runs as written, and the values its comments claim are right', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules', 'backprop'));
    // The examples read the repository's data files by their paths in it (data/iris.csv).
    symlinkSync(join(ROOT, 'data'), join(dir, 'data'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    writeFileSync(join(dir, 'check.ts'), CHECK);
    const files = all.map((b, i) => {
      const name = `block-${i + 1}.ts`;
      writeFileSync(join(dir, name), `import { __check } from './check.js';\n${instrument(b.code, b.line)}\nexport {};\n`);
      return name;
    });
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, skipLibCheck: true,
        types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')], outDir: 'out', rootDir: '.',
      },
      files: ['check.ts', ...files],
    }));
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr, 'the README examples do not type-check').toBe('');
    for (const [i, name] of files.entries()) {
      const run = spawnSync(process.execPath, [join(dir, 'out', name.replace(/\.ts$/, '.js'))], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
      expect(run.status, `README.md example at line ${all[i].line}: ${run.stderr}`).toBe(0);
    }
  }, 120_000);

  it('the claim reader: lists, approximations, truncations and words', () => {
    expect(leadingClaim(' [0.512…]        ŷ')).toBe('[0.512…]');
    expect(leadingClaim(' ≈ [[0.0004], [0.998]]')).toBe('≈ [[0.0004], [0.998]]');
    expect(leadingClaim(' true; pass { apply: true }')).toBe('true');
    expect(leadingClaim(" ['setosa', 'versicolor']")).toBe("['setosa', 'versicolor']");
    expect(leadingClaim(' 150 flowers, 4 measurements')).toBeNull();
    expect(leadingClaim(' 0.5      ŷ')).toBe('0.5');
    expect(leadingClaim(' fitted on training rows only')).toBeNull();
  });
});
