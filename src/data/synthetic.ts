// Seeded two-dimensional toy problems, the ones TensorFlow Playground made familiar: each point is
// (x₁, x₂) in about [−6, 6]² with a class label 0 or 1 (or a value, for the two regression sets).
import { checkOptions, unknownName, BackpropError } from '../core/errors.js';
import { Random } from '../core/random.js';

export type SyntheticName = 'xor' | 'circle' | 'gauss' | 'spiral' | 'moons' | 'plane' | 'multigauss';
export const SYNTHETIC_NAMES: readonly SyntheticName[] = ['xor', 'circle', 'gauss', 'spiral', 'moons', 'plane', 'multigauss'];
/** The data sets whose target is a value rather than a class. */
export const REGRESSION_SETS: readonly SyntheticName[] = ['plane', 'multigauss'];

/** Six bumps, alternately up (+1) and down (−1), in two rows of three: the multigauss regression surface. */
const BUMPS: readonly [number, number, number][] = [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]];
const BUMP_WIDTH = 1.6;

/** The multigauss target at (x₁, x₂): the sum of the bumps' Gaussians, each ±exp(−d²/(2σ²)). */
export function multigauss(x1: number, x2: number): number {
  let sum = 0;
  for (const [cx, cy, sign] of BUMPS) sum += sign * Math.exp(-((x1 - cx) ** 2 + (x2 - cy) ** 2) / (2 * BUMP_WIDTH ** 2));
  return sum;
}

export interface SyntheticOptions {
  /** Number of points. Default 200. */
  samples?: number;
  /** Amount of noise, 0 (none) to 1. Default 0. */
  noise?: number;
  /** Default 1. */
  seed?: number;
}

export interface Dataset2D {
  name: SyntheticName;
  /** [x₁, x₂] per point. */
  x: number[][];
  /** [label] per point: 0 or 1, or a real value for "plane" and "multigauss". */
  y: number[][];
  task: 'classification' | 'regression';
}

const RADIUS = 5;

export function generate(name: SyntheticName, options: SyntheticOptions = {}): Dataset2D {
  options = checkOptions(options, ['samples', 'noise', 'seed'], 'generate options');
  if (!SYNTHETIC_NAMES.includes(name)) throw unknownName('data set', name, SYNTHETIC_NAMES);
  const samples = options.samples ?? 200;
  const noise = options.noise ?? 0;
  if (!Number.isInteger(samples) || samples < 2 || samples > 1_000_000) {
    throw new BackpropError(`samples: expected an integer from 2 to 1000000, got ${samples}`, 'samples');
  }
  if (typeof noise !== 'number' || !(noise >= 0 && noise <= 1)) {
    throw new BackpropError(`noise: expected a number from 0 to 1, got ${noise}`, 'noise');
  }
  const random = new Random(options.seed ?? 1);
  const x: number[][] = [];
  const y: number[][] = [];
  const push = (x1: number, x2: number, label: number): void => {
    x.push([x1, x2]);
    y.push([label]);
  };
  for (let i = 0; i < samples; i++) {
    const label = i % 2; // alternate so every prefix is balanced
    switch (name) {
      case 'xor': {
        const x1 = random.uniform(-RADIUS, RADIUS), x2 = random.uniform(-RADIUS, RADIUS);
        const padding = 0.3; // keep points off the axes so the classes stay separable
        const p1 = x1 + (x1 > 0 ? padding : -padding), p2 = x2 + (x2 > 0 ? padding : -padding);
        const nx = noise * RADIUS * random.uniform(-1, 1), ny = noise * RADIUS * random.uniform(-1, 1);
        push(p1 + nx, p2 + ny, p1 * p2 >= 0 ? 1 : 0);
        break;
      }
      case 'circle': {
        // Class 1 inside radius 2.5, class 0 in the ring from 3.5 to 5; labelled by true distance after noise.
        const r = label === 1 ? random.uniform(0, RADIUS * 0.5) : random.uniform(RADIUS * 0.7, RADIUS);
        const angle = random.uniform(0, 2 * Math.PI);
        const px = r * Math.sin(angle) + noise * RADIUS * random.uniform(-1, 1);
        const py = r * Math.cos(angle) + noise * RADIUS * random.uniform(-1, 1);
        push(px, py, Math.hypot(px, py) < RADIUS * 0.6 ? 1 : 0);
        break;
      }
      case 'gauss': {
        const centre = label === 1 ? 2 : -2;
        const spread = 0.5 + 3 * noise;
        push(centre + spread * random.normal(), centre + spread * random.normal(), label);
        break;
      }
      case 'spiral': {
        const t = random.uniform(0, 1);
        const r = t * RADIUS;
        const angle = 1.75 * t * 2 * Math.PI + label * Math.PI;
        push(
          r * Math.sin(angle) + noise * random.uniform(-1, 1),
          r * Math.cos(angle) + noise * random.uniform(-1, 1),
          label,
        );
        break;
      }
      case 'moons': {
        const t = random.uniform(0, Math.PI);
        const [cx, cy, sign] = label === 0 ? [-1.25, -0.6, 1] : [1.25, 0.6, -1];
        push(
          cx + 2.5 * Math.cos(t) + noise * 2 * random.normal(),
          cy + sign * 2.5 * Math.sin(t) + noise * 2 * random.normal(),
          label,
        );
        break;
      }
      case 'plane': {
        const x1 = random.uniform(-RADIUS, RADIUS), x2 = random.uniform(-RADIUS, RADIUS);
        push(x1, x2, (x1 + x2) / (2 * RADIUS) + noise * random.uniform(-1, 1));
        break;
      }
      case 'multigauss': {
        const x1 = random.uniform(-RADIUS - 1, RADIUS + 1), x2 = random.uniform(-RADIUS - 1, RADIUS + 1);
        push(x1, x2, multigauss(x1, x2) + noise * random.uniform(-1, 1));
        break;
      }
    }
  }
  return { name, x, y, task: REGRESSION_SETS.includes(name) ? 'regression' : 'classification' };
}
