// Parsers for option values: each names the option and what was expected, and fails as a usage error (exit 2).
import { OptionError, parseSchedule, TRAIN_OPTION_NAMES, type ScheduleRule } from '../model/options.js';
import { UsageError } from './errors.js';
import { BackpropError, printable } from '../core/errors.js';
import { checkNaValues } from '../data/missing.js';
import { checkWritable, outputTarget, sameFile } from '../node/files.js';

/**
 * A command's output files, checked before anything runs: each can be written, none is one of its inputs (the data,
 * a model; through a symbolic or a hard link too) and no two are the same file. `train d.csv --out d.csv` replaced
 * the data with the model, and `--out m.json --plot m.json` the model with the plot, each with exit 0.
 */
export function checkOutputs(outputs: readonly (readonly [option: string, path: string | undefined])[], inputs: readonly string[]): void {
  const given = outputs.filter((o): o is readonly [string, string] => o[1] !== undefined && o[1] !== '-');
  given.forEach(([option, path], k) => {
    checkWritable(path);
    const input = inputs.find((i) => i !== '-' && sameFile(path, i));
    if (input !== undefined) throw new UsageError(`${option} ${path}: the same file as the input ${input}; give another name`, option);
    const before = given.slice(0, k).find(([, other]) => outputTarget(other) === outputTarget(path) || sameFile(other, path));
    if (before) throw new UsageError(`${option} ${path}: the same file as ${before[0]} ${before[1]}; give another name`, option);
  });
}

export function positiveInteger(option: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim()) || Number(value) < 1) throw new UsageError(`${option}: expected a positive integer, got "${value}"`, option);
    return Number(value);
  };
}

export function positiveNumber(option: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`${option}: expected a positive number, got "${value}"`, option);
    return n;
  };
}

export function fraction(option: string, allowZero: boolean) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n >= 1 || (!allowZero && n === 0)) {
      throw new UsageError(`${option}: expected a number from ${allowZero ? '0' : 'above 0'} to below 1, got "${value}"`, option);
    }
    return n;
  };
}

export function integer(option: string) {
  return (value: string): number => {
    if (!/^[+-]?\d+$/.test(value.trim()) || !Number.isSafeInteger(Number(value))) {
      throw new UsageError(`${option}: expected an integer from ${-Number.MAX_SAFE_INTEGER} to ${Number.MAX_SAFE_INTEGER}, got "${value}"`, option);
    }
    return Number(value);
  };
}

export function integerIn(option: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^[+-]?\d+$/.test(value.trim()) || !(n >= min && n <= max)) throw new UsageError(`${option}: expected an integer from ${min} to ${max}, got "${value}"`, option);
    return n;
  };
}

export function numberIn(option: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !(n >= min && n <= max)) throw new UsageError(`${option}: expected a number from ${min} to ${max}, got "${value}"`, option);
    return n;
  };
}

/** A file name or other text that must not be empty. */
export function nonEmpty(option: string) {
  return (value: string): string => {
    if (value === '') throw new UsageError(`${option}: expected a file name, got ""`, option);
    return value;
  };
}

/** "id,name" → ["id", "name"]: column names, none empty. */
export function columnList(option: string) {
  return (value: string): string[] => {
    const parts = value.split(',').map((p) => p.trim());
    if (parts.some((p) => p === '')) throw new UsageError(`${option}: expected comma-separated column names like id,name, got "${value}"`, option);
    return parts;
  };
}

/**
 * --na-values: comma-separated words that mean "no value" besides an empty field, e.g. NA,?,-999; "" for none
 * (only empty fields are missing).
 */
export function naValuesOption(value: string): string[] {
  if (value.trim() === '') return [];
  const parts = value.split(',').map((p) => p.trim());
  if (parts.some((p) => p === '')) throw new UsageError(`--na-values: expected comma-separated words like NA,?,-999 (or "" for none), got "${printable(value, 80)}"`, '--na-values');
  // The library's bounds (at most MAX_NA_VALUES words of MAX_NA_LENGTH characters), refused in the same words.
  try {
    return [...checkNaValues(parts, '--na-values')];
  } catch (e) {
    if (e instanceof BackpropError) throw new UsageError(e.message, '--na-values');
    throw e;
  }
}

/** "16,8" → [16, 8]; "0" or "none" → [] (no hidden layers). */
export function layerList(value: string): number[] {
  const text = value.trim();
  if (text === '0' || text === 'none') return [];
  const parts = text.split(',').map((p) => p.trim());
  if (!parts.every((p) => /^\d+$/.test(p) && Number(p) >= 1)) {
    throw new UsageError(`--layers: expected a comma-separated list of positive integers like 16,8, got "${value}"`, '--layers');
  }
  return parts.map(Number);
}

/** "0.1,0.3" → [0.1, 0.3]; text items are kept as text, for class names and text features. */
/** Comma-separated values: numbers as numbers, the rest as text; with `emptyIsMissing`, an empty one is a missing value (''), as in a file. */
export function valueList(option: string, emptyIsMissing = false) {
  return (value: string): (number | string)[] => {
    const parts = value.split(',').map((p) => p.trim());
    if (!emptyIsMissing && parts.some((p) => p === '')) throw new UsageError(`${option}: expected comma-separated values like 0.1,0.3, got "${value}"`, option);
    return parts.map((p) => (/^[+-]?(\d+(?:\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(p) ? Number(p) : p));
  };
}

export function choice<T extends string>(option: string, choices: readonly T[]) {
  return (value: string): T => {
    if (!choices.includes(value as T)) throw new UsageError(`${option}: expected one of ${choices.join(', ')}, got "${value}"`, option);
    return value as T;
  };
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };

/** "512MB", "2GB", "1.5GiB" or a number of bytes (units in powers of 1024). */
export function byteSize(option: string) {
  return (value: string): number => {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
    const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
    if (!m || unit === undefined || !(Number(m[1]) * unit >= 1024 * 1024)) {
      throw new UsageError(`${option}: expected a size like 512MB or 2GB (at least 1MB), got "${value}"`, option);
    }
    return Math.floor(Number(m[1]) * unit);
  };
}

export function formatBytes(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${+(bytes / 1024 ** 3).toFixed(1)}GB` : `${Math.round(bytes / 1024 ** 2)}MB`;
}

/** --schedule: the library's schedule rule from its text (step:10:0.5, exponential:0.95, cosine[:MIN], plateau[:F[:P]]). */
export function scheduleOption(value: string): ScheduleRule {
  try {
    return parseSchedule(value);
  } catch (e) {
    if (e instanceof OptionError) throw new UsageError(`--${e.message}`, '--schedule');
    throw e;
  }
}

/** A number ≥ 0 (a penalty or a decay). */
export function nonNegativeNumber(option: string) {
  return (value: string): number => {
    const v = Number(value);
    if (value.trim() === '' || !Number.isFinite(v) || v < 0) throw new UsageError(`${option}: expected a number ≥ 0, got "${value}"`, option);
    return v;
  };
}

/** --dropout: one rate in [0, 1) for every hidden layer, or a comma-separated rate per hidden layer. */
export function dropoutOption(value: string): number[] {
  const rates = value.split(',').map((v) => (v.trim() === '' ? NaN : Number(v)));
  if (rates.some((p) => !(p >= 0 && p < 1))) throw new UsageError(`--dropout: expected a rate in [0, 1) or one per hidden layer, e.g. 0.2 or 0.3,0.1, got "${value}"`, '--dropout');
  return rates;
}

/** --class-weight: balanced, or CLASS=WEIGHT pairs (classes left out weigh 1). */
export type ClassWeightRule = 'balanced' | Map<string, number>;

export function classWeightOption(value: string): ClassWeightRule {
  if (value === 'balanced') return value;
  const weights = new Map<string, number>();
  for (const pair of value.split(',')) {
    const at = pair.lastIndexOf('=');
    const name = pair.slice(0, at).trim(), w = Number(pair.slice(at + 1));
    if (at < 1 || name === '' || pair.slice(at + 1).trim() === '' || !(w >= 0 && Number.isFinite(w))) {
      throw new UsageError(`--class-weight: expected balanced or CLASS=WEIGHT pairs, e.g. spam=5,ham=1 (weights ≥ 0), got "${value}"`, '--class-weight');
    }
    weights.set(name, w);
  }
  return weights;
}

/** The formats `backprop export --to` writes (here, so that the command line's options need not load the exporters). */
export const EXPORT_FORMATS = ['onnx', 'tfjs', 'js'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Parses --budget: seconds, or a number with s, m or h. */
export function durationOption(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h|)\s*$/i.exec(value);
  if (!m || !(Number(m[1]) > 0)) throw new UsageError(`--budget: expected a duration like 90s, 5m or 1h, got "${value}"`, '--budget');
  return Number(m[1]) * { '': 1000, s: 1000, m: 60_000, h: 3_600_000 }[m[2].toLowerCase() as '' | 's' | 'm' | 'h'];
}

/** The library's option names that the command line spells as flags. */
export const LIBRARY_OPTIONS: ReadonlySet<string> = new Set([...TRAIN_OPTION_NAMES, 'folds', 'trials', 'workers', 'budget']);

/** A library option's flag: earlyStopping is --early-stopping. */
export const flagOf = (name: string): string => `--${name.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}`;

/**
 * A library message as the command line says it: its leading option name as a flag, and the options in its advice
 * too ("drop validation, or give bagging 1" reads "drop --validation, or give --bagging 1"; "drop validation: 0"
 * reads "drop --validation 0").
 */
export function asFlags(message: string, field: string): string {
  const lead = message.startsWith(`${field}:`) ? flagOf(field) + message.slice(field.length) : message;
  return lead.replace(/(?<=\b(?:drop|give|raise|lower|set|or|use) )([a-z][A-Za-z]*)\b(: )?/g, (whole, name: string, colon?: string) =>
    (LIBRARY_OPTIONS.has(name) ? `${flagOf(name)}${colon ? ' ' : ''}` : whole));
}
