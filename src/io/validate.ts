// Small checks for reading untrusted JSON field by field. Each failure names the field's path, and
// only known keys are accepted, so nothing in a file can reach an object's prototype or smuggle data.
import { BackpropError, shown } from '../core/errors.js';
import { finiteIn, FLOAT32_MAX, type DType } from '../core/matrix.js';

export class FieldReader {
  constructor(readonly source: string) {}

  fail(field: string, expected: string, got?: unknown): never {
    const tail = arguments.length > 2 ? `, got ${shown(got)}` : '';
    throw new BackpropError(`${this.source}: ${field}: expected ${expected}${tail}`, field);
  }

  /** A plain object whose keys are all among `allowed` and which has every key in `required`. */
  object(value: unknown, field: string, allowed: readonly string[], required: readonly string[] = allowed): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(field, 'an object', value);
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) this.fail(`${field}.${key}`, `no such field (known fields: ${allowed.join(', ')})`);
    }
    for (const key of required) {
      if (!Object.prototype.hasOwnProperty.call(value, key)) {
        throw new BackpropError(`${this.source}: ${field}.${key}: missing; every ${field} needs this field`, `${field}.${key}`);
      }
    }
    return value as Record<string, unknown>;
  }

  array(value: unknown, field: string, length?: number): unknown[] {
    if (!Array.isArray(value)) this.fail(field, length === undefined ? 'a list' : `a list of ${length}`, value);
    if (length !== undefined && value.length !== length) this.fail(field, `a list of ${length}, got ${value.length} items`);
    return value;
  }

  number(value: unknown, field: string): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(field, 'a finite number', value);
    return value;
  }

  /** A list of numbers that are finite in the dtype given (a float32 weight of 1e308 would be Infinity). */
  numbers(value: unknown, field: string, length: number, dtype: DType = 'float64'): number[] {
    const list = this.array(value, field, length);
    for (let i = 0; i < list.length; i++) {
      if (!finiteIn(list[i], dtype)) this.fail(`${field}[${i}]`, dtype === 'float32' ? `a finite number within float32's range (±${FLOAT32_MAX.toExponential(4)})` : 'a finite number', list[i]);
    }
    return list as number[];
  }

  string(value: unknown, field: string): string {
    if (typeof value !== 'string') this.fail(field, 'a string', value);
    return value;
  }

  oneOf<T extends string>(value: unknown, field: string, options: readonly T[]): T {
    if (typeof value !== 'string' || !options.includes(value as T)) this.fail(field, `one of ${options.join(', ')}`, value);
    return value as T;
  }
}
