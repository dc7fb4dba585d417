// What the page's panels share: the URL state, the data it describes, the worker's latest snapshot, and
// a few events. Each panel (controls, diagram, heat map, charts, step-through, comparison) is its own
// module that reads `app` and listens here; none of them calls another directly.
import type { UpdateTrace } from '../../src/index.js';
import { firstMap, makeProblem, type Problem } from './problem.js';
import { lesson } from './lessons.js';
import { CUSTOM_POINT, type FromWorker, type Snapshot, type ToWorker, type TracedPoint } from './protocol.js';
import { FEATURE_NAMES, isTableSet, readState, serializeState, type FeatureName, type State, type TableSetName } from './state.js';
import { cliMessage, exampleSource, readTable, setTable, tableOf, type TableSource } from './tables.js';

/** One weight (`from` a row of layer `layer`'s matrix, `to` its unit) or, with from = 'bias', a unit's bias. */
export interface WeightRef {
  layer: number;
  from: number | 'bias';
  to: number;
}

export interface App {
  state: State;
  problem: Problem;
  snapshot: Snapshot | null;
  playing: boolean;
  /** Loss per epoch since the last reset. */
  trainCurve: number[];
  testCurve: number[];
  /** The open step-through: the trace, its training point and the stage shown; null when closed. */
  trace: UpdateTrace | null;
  /** The traced training point's index, or CUSTOM_POINT for a point the learner typed (then in tracedPoint). */
  tracedIndex: number | null;
  tracedPoint: TracedPoint | null;
  stage: number;
  /** The diagram unit under the pointer ([column, unit]), shown large on the heat map; null for the output. */
  hovered: [number, number] | null;
  /** While on, a clicked weight is tried out in the step-through instead of set in the network. */
  whatIf: boolean;
  /** Drawings so far: while training, the large heat map and the units' small ones take turns (see turnOf). */
  drawings: number;
}

const { state: initial, replaced: replacedInUrl } = readState(location.search);
export const app: App = {
  state: initial,
  problem: makeProblem(initial),
  snapshot: null,
  playing: false,
  trainCurve: [],
  testCurve: [],
  trace: null,
  tracedIndex: null,
  tracedPoint: null,
  stage: 0,
  hovered: null,
  whatIf: false,
  drawings: 0,
};

export const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
/** Four significant digits, as the step-through and the diagram print every number (an ASCII minus, so a copied number pastes into a calculator). */
export const fmt = (v: number): string => (v === 0 ? '0' : Number(v.toPrecision(4)).toString());

/** A message for the learner, kept until the next reset or the next message. */
export function say(text: string): void {
  $('message').textContent = text;
}

// ---- events ----

interface Events {
  /** A new network on (possibly new) data: panels rebuild. */
  reset: void;
  /** A new snapshot or a change of view: panels redraw. */
  render: void;
  /** The heat maps' plane changed (a table's pair of inputs, or its projection): the same network, new maps and axes. */
  plane: void;
  /** The step-through opened, changed stage, or closed. */
  stage: void;
  /** The controls should show app.state again (a refused or live change). */
  controls: void;
  /** The pointer entered or left a unit of the diagram (app.hovered). */
  hover: void;
  /** A weight or bias of the diagram was chosen (clicked), for editing or for "what if". */
  weight: WeightRef;
  /** Another panel points at a weight (a matrix cell under the pointer or focus): the diagram marks its link; null ends it. */
  highlight: WeightRef | null;
  /** A message from the worker, for the panel that asked. */
  worker: FromWorker;
}
type Listener<K extends keyof Events> = (value: Events[K]) => void;
const listeners: { [K in keyof Events]?: Listener<K>[] } = {};

export function on<K extends keyof Events>(event: K, listener: Listener<K>): void {
  ((listeners[event] ??= []) as Listener<K>[]).push(listener);
}

export function emit<K extends keyof Events>(event: K, ...value: Events[K] extends void ? [] : [Events[K]]): void {
  for (const listener of (listeners[event] ?? []) as Listener<K>[]) listener(value[0] as Events[K]);
}

// ---- the worker ----

let worker: Worker | null = null;
export function connect(w: Worker): void {
  worker = w;
}
/** The messages sent to the worker so far (see FromWorker's `taken`). */
let sentCount = 0;
export const sent = (): number => sentCount;
export const send = (m: ToWorker): void => {
  if (!worker) return;
  sentCount++;
  worker.postMessage(m);
};

// ---- changing settings ----

/** Settings the worker takes mid-training: the run goes on. */
const LIVE: readonly (keyof State)[] = ['learningRate', 'regularization', 'regularizationRate'];
/** Settings of the view alone. */
const VIEW: readonly (keyof State)[] = ['showTestData', 'discretize'];
/** The plane a table's heat map spans: a view too, though the worker draws its grid anew; never a new network. */
const PLANE: readonly (keyof State)[] = ['axes'];
const sameNetwork = (k: keyof State): boolean => LIVE.includes(k) || VIEW.includes(k) || PLANE.includes(k);

/** Changes settings and writes them to the URL; anything but η, the penalty and the view starts a fresh network. */
export function update(changes: Partial<State>): void {
  const keys = Object.keys(changes) as (keyof State)[];
  // A lesson is its network: changing the network or the data leaves it (⟲ starts it again, η may change).
  const leaves = app.state.lesson !== null && !('lesson' in changes) && keys.some((k) => !sameNetwork(k) && k !== 'restart');
  const next = { ...app.state, ...changes, ...(leaves ? { lesson: null } : {}) };
  // A table's target or share the library refuses (one class, say) is said in its words, and nothing changes.
  if (isTableSet(next.dataset) && keys.some((k) => !LIVE.includes(k) && !VIEW.includes(k))) {
    try {
      makeProblem(next);
    } catch (e) {
      say(cliMessage(e));
      emit('controls');
      return;
    }
  }
  app.state = next;
  history.replaceState(null, '', serializeState(app.state));
  if (keys.every((k) => VIEW.includes(k))) emit('render');
  else if (keys.every((k) => LIVE.includes(k) || VIEW.includes(k))) {
    send({ type: 'settings', state: app.state });
    emit('controls');
    emit('stage');
    emit('render');
  } else if (keys.every(sameNetwork)) {
    // The same rows, split and network seen across another plane: the epoch, the loss and a run in progress go on.
    app.problem = makeProblem(app.state);
    send({ type: 'view', state: app.state });
    if (LIVE.some((k) => keys.includes(k))) send({ type: 'settings', state: app.state });
    emit('plane');
    emit('controls');
    emit('render');
  } else {
    reset();
    if (leaves) say('Left the lesson: the network is yours now. The Lessons menu starts it again.');
    else if (app.state.lesson) pickPoint(0);
  }
}

/** Turns one input feature on or off; the last one stays on, with a word why. */
export function toggleFeature(feature: FeatureName): void {
  const on = app.state.features.includes(feature);
  if (on && app.state.features.length === 1) {
    emit('controls');
    say('The network needs at least one input feature; that one stays on.');
    return;
  }
  update({ features: FEATURE_NAMES.filter((f) => (f === feature ? !on : app.state.features.includes(f))) });
}

export function setPlaying(on: boolean): void {
  app.playing = on;
  const play = $('play');
  // The first press answers the start list's step 2: ▶ stops inviting it.
  if (on) play.classList.remove('invite');
  play.textContent = on ? '‖' : '▶';
  play.setAttribute('aria-label', on ? 'Pause' : 'Train');
  play.setAttribute('aria-pressed', String(on));
}

export function closeStepper(): void {
  if (app.trace === null && app.tracedIndex === null) return;
  app.trace = null;
  app.tracedIndex = null;
  app.tracedPoint = null;
  app.stage = 0;
  emit('stage');
}

/** The resets so far: the worker tags what it reports with the one it answers (see `current`). */
let run = 0;

/** Whether a message from the worker belongs to the network the page has now, not to one before a reset. */
export const current = (m: FromWorker): boolean => m.run === run;

export function reset(): void {
  say('');
  app.problem = makeProblem(app.state);
  app.snapshot = null;
  app.trainCurve = [];
  app.testCurve = [];
  app.hovered = null;
  closeStepper();
  setPlaying(false);
  emit('reset');
  const table = isTableSet(app.state.dataset) ? tableOf(app.state.dataset)?.source : undefined;
  send({ type: 'reset', run: ++run, state: app.state, ...(table ? { table } : {}) });
}

/**
 * Trains on a table: a CSV file the learner chose, or a built-in example. A file the library refuses gets the
 * command line's one-line message, and the current data and network stay as they were.
 */
export function useTable(set: TableSetName, source: TableSource): boolean {
  const before = tableOf(set);
  let axes = '0,1', target = '', instead = '';
  try {
    setTable(set, readTable(source));
    // The default target (the last column) must make a problem the library accepts, before anything changes; where
    // it cannot (Titanic's Embarked has blanks), the nearest column before it that can, said, so the file still opens.
    const problem = (t: string): string => firstMap(makeProblem({ ...app.state, dataset: set, target: t, axes: '0,1', lesson: null }));
    try {
      axes = problem('');
    } catch (e) {
      const names = tableOf(set)!.frame.columns.map((c) => c.name);
      for (const name of names.slice(0, -1).reverse().slice(0, MAX_TARGET_TRIES)) {
        try {
          axes = problem(name);
          target = name;
          break;
        } catch {
          // not this one either
        }
      }
      if (!target) throw e;
      instead = `${cliMessage(e)}. The target is ${target} instead: choose another in the Target menu.`;
    }
  } catch (e) {
    setTable(set, before);
    say(cliMessage(e));
    emit('controls');
    return false;
  }
  update({ dataset: set, target, axes });
  say(instead);
  return true;
}

/** Columns tried as the target, from the last but one backwards, where the last cannot be one. */
const MAX_TARGET_TRIES = 20;

/** A built-in example table, loaded on first use. */
export async function useExample(set: 'iris' | 'digits'): Promise<void> {
  const table = tableOf(set);
  useTable(set, table?.source ?? await exampleSource(set));
}

export function togglePlay(): void {
  if (app.playing) send({ type: 'pause' });
  else {
    closeStepper();
    send({ type: 'play' });
  }
  setPlaying(!app.playing);
}

export function stepEpoch(): void {
  closeStepper();
  setPlaying(false);
  send({ type: 'step' });
}

/** Opens the step-through on a training point, or says why not. */
export function pickPoint(index: number): void {
  if (!(Number.isInteger(index) && index >= 0 && index < app.problem.train.points.length)) {
    say(`Training point: expected a whole number from 0 to ${app.problem.train.points.length - 1}.`);
    return;
  }
  say('');
  if (app.playing) {
    send({ type: 'pause' });
    setPlaying(false);
  }
  app.stage = 0;
  send({ type: 'trace', index });
}

/** Opens the step-through on a point the learner typed: the network's inputs and the target. */
export function pickCustom(point: TracedPoint): void {
  say('');
  if (app.playing) {
    send({ type: 'pause' });
    setPlaying(false);
  }
  app.stage = 0;
  send({ type: 'trace', index: CUSTOM_POINT, point });
}

/** The traced point's update, applied (the step-through's last stage). */
export function applyTraced(): void {
  if (app.tracedIndex === null) return;
  send({ type: 'apply', index: app.tracedIndex, ...(app.tracedPoint ? { point: app.tracedPoint } : {}) });
}

/** The URL as read (values snapped to the sliders' steps), so link, sliders and labels agree from the start. */
export function start(): void {
  history.replaceState(null, '', serializeState(app.state));
  const d = app.state.dataset;
  const replaced = (): void => {
    if (replacedInUrl.length) say(`The link had values the page cannot use: ${replacedInUrl.join('; ')}.`);
  };
  if (d === 'iris' || d === 'digits') {
    // A link to an example: its text is loaded first (its own chunk), then the run starts as the link says.
    void exampleSource(d).then((source) => {
      setTable(d, readTable(source));
      checkTableLink(d);
      let refused = '';
      try {
        app.problem = makeProblem(app.state);
      } catch (e) {
        refused = cliMessage(e);
        app.state = { ...app.state, target: '' };
      }
      history.replaceState(null, '', serializeState(app.state));
      reset();
      if (refused) say(refused);
      else replaced();
    });
    return;
  }
  reset();
  // A lesson opens on its point's step-through.
  if (lesson(app.state.lesson)) pickPoint(0);
  replaced();
}

/** A link's target and map plane, checked against the table it names once it is read: what does not fit is said and replaced. */
function checkTableLink(set: 'iris' | 'digits'): void {
  const { frame, source } = tableOf(set)!;
  const names = frame.columns.map((c) => c.name);
  const { target, axes } = app.state;
  if (target && !names.includes(target)) {
    const listed = names.length > 8 ? `${names.slice(0, 8).join(', ')}, …` : names.join(', ');
    replacedInUrl.push(`target=${target} (expected a column of ${source.name}: ${listed}; used the last, ${names[names.length - 1]})`);
    app.state = { ...app.state, target: '' };
  }
  if (axes === 'pca') return;
  let inputs: number;
  try {
    inputs = makeProblem({ ...app.state, axes: '0,1' }).table?.inputNames.length ?? 0;
  } catch {
    return;
  }
  const [a, b] = axes.split(',').map(Number);
  if (a >= inputs || b >= inputs || a === b) {
    replacedInUrl.push(`axes=${axes} (expected two different inputs from 0 to ${inputs - 1}, or pca; used 0,1)`);
    app.state = { ...app.state, axes: '0,1' };
  }
}

/** The snapshot the charts last looked at, and whether they drew it. */
let charted: { snapshot: Snapshot | null; at: number; due: boolean } = { snapshot: null, at: -Infinity, due: true };

/**
 * Whether the charts (the loss curves, the gradient bars and the words under them) draw the current snapshot: every
 * one at rest, ten a second while training (each drawing walks every epoch so far). Decided once per snapshot, so
 * every panel that asks draws the same one: the words about the bars never speak of a newer run than the bars show.
 */
export function chartsDue(): boolean {
  const s = app.snapshot;
  if (s !== charted.snapshot) {
    const now = performance.now();
    const due = !(app.playing && s !== null && s.playing && now - charted.at < 100);
    charted = { snapshot: s, at: due ? now : charted.at, due };
  }
  return charted.due;
}

/**
 * While training runs, the large heat map is drawn at even drawings and the units' small maps at odd ones, so that
 * no frame carries both (on a slow device the longest frame is what input waits behind); otherwise both, always.
 */
export const turnOf = (part: 'output' | 'units'): boolean => !app.playing || app.trace !== null || (app.drawings % 2 === 0) === (part === 'output');
