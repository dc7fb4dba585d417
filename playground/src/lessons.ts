// The lessons: the seeds' own networks, set up exactly as the text has them — weights, input, target,
// loss and η, no biases — so the step-through shows the very numbers the text prints. A lesson's data is
// its one point; its network's inputs are x₁, x₂, … (x₁ and x₂ span the heat map's plane, whose axes read them
// directly; any further input is held at the point's value there).
import type { LayerWeights, UpdateTrace } from '../../src/index.js';
import type { LessonId, State } from './state.js';

export interface Lesson {
  id: LessonId;
  title: string;
  /** What the lesson shows, one paragraph. */
  intro: string;
  /** The settings it takes: the network and η. */
  state: Pick<State, 'layers' | 'activation' | 'output' | 'loss' | 'learningRate' | 'biases' | 'optimizer' | 'regularization'>;
  /** The point: the network's inputs and the target. */
  x: number[];
  y: number[];
  /** The starting weights, input layer first; no biases. */
  weights: LayerWeights[];
  /**
   * The numbers as the text prints them, by quantity: `h:L:J`, `a:L:J` (the output's a is ŷ), `delta:L:J`,
   * `dw:L:I:J` for layer L's unit J and its input I. Shown beside the page's full-precision values while the
   * network is the lesson's own (its starting weights and η).
   */
  printed: Record<string, string>;
  /**
   * The text's own lines, by the same keys: its expression with its rounded numbers, as it prints them. Where the
   * text rounds a factor before multiplying (δʰ to 0.003), the page shows this line beside its own full-precision one.
   */
  text?: Record<string, string>;
  /** Whether to open the sigmoid/relu comparison with the lesson's numbers. */
  compare?: boolean;
}

const seedNetwork = { activation: 'sigmoid', output: 'sigmoid', loss: 'squared', learningRate: 0.5, biases: false, optimizer: 'sgd', regularization: 'none' } as const;

export const LESSON_LIST: readonly Lesson[] = [
  {
    id: 'seed-example',
    title: 'The worked example',
    intro: 'The course\'s worked example: two inputs, one hidden unit, one output, sigmoid units without biases, '
      + 'squared error and η = 0.5, on x = (0.1, 0.3) with target y = 1. Step through it: each number the text prints is shown '
      + 'as the text rounds it, with the full value beside it.',
    state: { ...seedNetwork, layers: [1] },
    x: [0.1, 0.3],
    y: [1],
    weights: [{ weights: [[0.4], [-0.2]], bias: null }, { weights: [[0.1]], bias: null }],
    printed: {
      'h:0:0': '-0.02', 'a:0:0': '0.495', 'a:1:0': '0.512', 'delta:1:0': '0.122', 'delta:0:0': '0.003',
      'dw:1:0:0': '0.0302', 'dw:0:0:0': '0.00015', 'dw:0:1:0': '0.00045',
    },
    text: {
      'h:0:0': '0.1 × 0.4 − 0.2 × 0.3 = −0.02', 'a:0:0': 'sigmoid(−0.02) = 0.495', 'a:1:0': 'sigmoid(0.1 × 0.495) = 0.512',
      'delta:1:0': '(1 − 0.512) × 0.512 × (1 − 0.512) = 0.122', 'delta:0:0': '0.1 × 0.122 × 0.495 × (1 − 0.495) = 0.003',
      'dw:1:0:0': '0.5 × 0.122 × 0.495 = 0.0302', 'dw:0:0:0': '0.5 × 0.003 × 0.1 = 0.00015', 'dw:0:1:0': '0.5 × 0.003 × 0.3 = 0.00045',
    },
  },
  {
    id: 'seed-exercise',
    title: 'The exercise',
    intro: 'The course\'s exercise: three inputs, two hidden units, one output, sigmoid units without biases, squared error '
      + 'and η = 0.5, on x = (0.5, 0.1, −0.2) with target 0.6. Turn on exercise mode to work out the error, δᵒ, each δʰ and '
      + 'each weight step yourself; the page checks each number.',
    state: { ...seedNetwork, layers: [2] },
    x: [0.5, 0.1, -0.2],
    y: [0.6],
    weights: [{ weights: [[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]], bias: null }, { weights: [[0.1], [-0.3]], bias: null }],
    printed: {},
  },
  {
    id: 'vanishing',
    title: 'The vanishing gradient',
    intro: 'The text\'s remark on depth: σ′(h) is at most 0.25, so each sigmoid layer an error term passes back through '
      + 'shrinks it by at least 75% (with weights of 1, as here). A chain of four hidden sigmoid units, then the same chain with relu '
      + 'units, whose slope is 1 where they are active: step to δʰ and compare the two.',
    state: { ...seedNetwork, layers: [1, 1, 1, 1] },
    x: [0.1, 0.3],
    y: [1],
    weights: [
      { weights: [[1], [1]], bias: null },
      { weights: [[1]], bias: null }, { weights: [[1]], bias: null }, { weights: [[1]], bias: null }, { weights: [[1]], bias: null },
    ],
    printed: {},
    compare: true,
  },
];

/** Whether an update is the lesson's own: its point, its starting weights and its η, so the text's numbers apply. */
export function lessonApplies(l: Lesson, t: UpdateTrace): boolean {
  if (t.learningRate !== l.state.learningRate || t.input.some((x, i) => x !== l.x[i])) return false;
  return t.layers.every((layer, k) => layer.before.weights.every((row, i) => row.every((w, j) => Math.abs(w - l.weights[k].weights[i][j]) < 1e-12)));
}

/** Whether a network's weights are still the lesson's starting ones. */
export const startsAsLesson = (l: Lesson, weights: readonly LayerWeights[]): boolean =>
  weights.length === l.weights.length && weights.every((layer, k) => layer.weights.every((row, i) => row.every((w, j) => Math.abs(w - l.weights[k].weights[i]?.[j]) < 1e-12)));

export function lesson(id: LessonId | null): Lesson | null {
  return LESSON_LIST.find((l) => l.id === id) ?? null;
}

/** The state a lesson starts from: the page's defaults for the rest, the lesson's network, no data settings. */
export function lessonState(base: State, id: LessonId): State {
  const l = lesson(id)!;
  return { ...base, ...l.state, activations: l.state.layers.map(() => l.state.activation), lesson: id, dataset: base.dataset === 'upload' || base.dataset === 'iris' || base.dataset === 'digits' ? 'circle' : base.dataset, features: ['x1', 'x2'], restart: 0 };
}
