#!/usr/bin/env node
// The `backprop` command. Each subcommand parses its options here and hands over to its own module;
// every user mistake ends as one line on stderr and exit code 1 (or 2 for a bad command line).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { BackpropError, printable, thousands } from '../core/errors.js';
import { ACTIVATION_NAMES } from '../nn/activations.js';
import { LOSS_NAMES, type LossName } from '../nn/losses.js';
import { OPTIMIZER_NAMES, type OptimizerName } from '../train/optimizers.js';
import { BACKEND_CHOICES } from '../node/backends.js';
import { reason } from '../node/files.js';
import { describeDatasets } from '../node/read.js';
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, EXIT_PIPE, EXIT_USAGE, UsageError } from './errors.js';
import { evaluateCommand, predictCommand, type PredictOptions } from './evaluate.js';
import type { DataOptions } from '../node/read.js';
import { explainCommand, gradcheckCommand } from './explain.js';
// The commands that need more than train does (the ONNX and TensorFlow.js code, tune's worker pool, the playground's
// server) load their modules when they run, so that `backprop train` starts without them.
import type { ImportCommandOptions } from './interop.js';
import { asFlags, classWeightOption, dropoutOption, LIBRARY_OPTIONS, nonNegativeNumber, scheduleOption } from './options.js';
import { cvCommand, type CvOptions } from './cv.js';
import { importanceCommand } from './importance.js';
import type { TuneOptions } from './tune.js';
import { DEFAULT_NA_VALUES } from '../data/missing.js';
import { naValuesOption } from './options.js';
import { byteSize, choice, columnList, durationOption, EXPORT_FORMATS, formatBytes, type ExportFormat, fraction, integer, integerIn, layerList, nonEmpty, numberIn, positiveInteger, positiveNumber, valueList } from './options.js';
import { totalmem } from 'node:os';
import { SYNTHETIC_NAMES, type SyntheticName } from '../data/synthetic.js';
import { VERSION } from '../version.js';
import { DEFAULT_BINS } from '../data/piecewise.js';
import { BAGGING_MAX_ROWS, DEFAULT_BAGGING, DEFAULT_LAYERS, OptionError, type HiddenActivation } from '../model/options.js';
import { train, type TrainOptions } from './train.js';

const stdout = process.stdout;

/** --delimiter for the commands that read CSV: one of the common ones, by character or by name. */
function delimiterOption(): Option {
  const names: Record<string, string> = { comma: ',', semicolon: ';', tab: '\t', pipe: '|', ',': ',', ';': ';', '\t': '\t', '\\t': '\t', '|': '|' };
  return new Option('--delimiter <char>', 'the CSV delimiter: , ; tab or | (default: sniffed from the file)').argParser((value: string) => {
    const d = names[value];
    if (d === undefined) throw new UsageError(`--delimiter: expected one of , ; tab | (or comma, semicolon, pipe), got ${JSON.stringify(value)}`, '--delimiter');
    return d;
  });
}

function decimalCommaOption(): Option {
  return new Option('--decimal-comma', 'numbers are written with a decimal comma (1,5); use with --delimiter ";" or a sniffed one (a model trained on such numbers reads its data so without it)');
}

/**
 * --na-values for the commands that read data: for training, the words (replacing the default list); for a command
 * that reads data for a model, words added to the model's own (those of its training data, kept in its file).
 */
function naValuesFlag(forModel = false): Option {
  return new Option('--na-values <words>', forModel
    ? 'more words that mean "no value", comma-separated, besides the model\'s own (those it was trained with, kept in its file) and an empty field'
    : `words that mean "no value" besides an empty field, comma-separated ("" for none; default ${DEFAULT_NA_VALUES.join(',')}); the model keeps them`).argParser(naValuesOption);
}

/** --unknown for the commands that score or predict with a model. */
function unknownFlag(): Option {
  return new Option('--unknown <how>', 'a value the model never saw (a category, or a word among numbers): ignore (all zeros, or a missing value; counted) or error').argParser(choice('--unknown', ['ignore', 'error'] as const)).default('ignore');
}

/** --missing and --keep: how training reads the table's columns. */
function tableFlags(command: Command): Command {
  return command
    .addOption(new Option('--missing <how>', 'missing feature values: fill (numbers and dates with the training median and an indicator input, text as its own level) or error').argParser(choice('--missing', ['fill', 'error'] as const)).default('fill'))
    .option('--keep <columns>', 'text columns to use as features though they look like identifiers (nearly every value distinct), e.g. name,city', columnList('--keep'))
    .addOption(naValuesFlag());
}

/** The default memory budget for data: a quarter of the machine's memory, at most 2 GB. */
const DEFAULT_MEMORY = Math.min(2 * 1024 ** 3, Math.floor(totalmem() / 4));

const COMMANDS = ['train', 'cv', 'tune', 'importance', 'export', 'import', 'evaluate', 'predict', 'explain', 'gradcheck', 'playground', 'datasets'];
/** The subcommand being run, so that the help hint of a command-line error points at its help. */
let currentCommand = '';
const helpHint = (): string => `see backprop ${COMMANDS.includes(currentCommand) ? currentCommand + ' ' : ''}--help`;

// A closed pipe (`backprop predict … | head -1`) ends the run quietly, as it ends cat: status 141 (128 + SIGPIPE).
// Any other failed write (`> /dev/full`: no space) ends it with one line and exit 1, as any other error does;
// the output is incomplete, and carrying on would only fail again. When stderr is what failed, there is no one to tell.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EXIT_PIPE);
    if (stream === process.stdout) {
      try {
        process.stderr.write(`backprop: cannot write to standard output (${reason(e)}); the output is incomplete\n`);
      } catch {
        // stderr failed too
      }
    }
    process.exit(EXIT_FAILURE);
  });
}

function program(): Command {
  const cli = new Command('backprop')
    .description('Train, inspect and use multilayer perceptrons that learn by backpropagation.')
    .version(VERSION)
    .configureOutput({
      // Commander's own complaints (an unknown option, a missing argument) become one line like every other error.
      outputError: (text, write) => write(`backprop: ${text.trim().replace(/^error: /, '').replace(/\s*\n\s*/g, ' ')} (${helpHint()})\n`),
    })
    .exitOverride();

  modelOptions(cli.command('train')
    .description('train a network on a CSV file (header row; target in the last column by default) or a built-in data set')
    .argument('<data>', 'a CSV file, "-" for standard input, or a built-in data set (see `backprop datasets`)'))
    .option('--validation <fraction>', 'share of rows held out for validation by one network (0 for none; default 0.2 with --bagging 1; otherwise each of the bagged networks holds out its own fold)', fraction('--validation', true))
    .option('--early-stopping <epochs>', 'stop after this many epochs without a better validation loss', positiveInteger('--early-stopping'))
    .option('--stream', 'read the data in passes from the file (in bounded memory) rather than whole', false)
    .option('--memory <size>', `what the data may take in memory before it is streamed, e.g. 512MB or 2GB (default ${formatBytes(DEFAULT_MEMORY)}: a quarter of this machine's, at most 2 GB)`, byteSize('--memory'), DEFAULT_MEMORY)
    .option('--out <file>', 'write the trained model to this file (- for standard output)', nonEmpty('--out'))
    .option('--plot <file>', 'write an SVG plot of the training curves (and the decision boundary for 2-D data)', nonEmpty('--plot'))
    .option('--json', 'print one JSON object with the final metrics and history instead of text', false)
    .option('--quiet', 'print nothing but errors', false)
    .option('--threads <n>', 'BLAS threads for every product, at most the cores (for timings that repeat); default auto: training steps are timed on 1 thread and on the cores, and run the faster way (BACKPROP_THREADS sets the default)', threadsOption)
    .action(async (data: string, opts: Record<string, unknown>) => {
      if (opts.earlyStopping !== undefined && opts.validation === 0) {
        throw new UsageError('--early-stopping: needs validation rows; drop --validation 0', '--early-stopping');
      }
      if (opts.json && opts.out === '-') throw new UsageError('--out -: the model and --json would both go to standard output; drop one', '--out');
      checkTrainingControls(opts);
      for (const option of ['samples', 'noise'] as const) {
        if (opts[option] !== undefined && !SYNTHETIC_NAMES.includes(data as SyntheticName)) {
          throw new UsageError(`--${option}: only for the synthetic data sets (${SYNTHETIC_NAMES.join(', ')}), not ${JSON.stringify(data)}`, `--${option}`);
        }
      }
      await interruptible(async (signal) => !(await train(data, {
        ...(opts as unknown as TrainOptions),
        layers: opts.layers as number[],
        activation: opts.activation as HiddenActivation,
        loss: opts.loss as LossName | undefined,
        optimizer: opts.optimizer as OptimizerName,
      }, stdout, signal)).interrupted);
    });

  modelOptions(cli.command('cv')
    .description('k-fold cross-validation (stratified for classification) with train\'s options: each fold\'s metrics, and their mean ± standard deviation')
    .argument('<data>', 'a CSV file, "-" for standard input, or a built-in data set')
    .option('--folds <k>', 'number of folds', integerIn('--folds', 2, 1000), 5))
    .option('--json', 'print one JSON object: each fold\'s metrics, their mean and standard deviation', false)
    .option('--quiet', 'print nothing but errors', false)
    .action(async (data: string, opts: Record<string, unknown>) => {
      checkTrainingControls(opts);
      await cvCommand(data, opts as unknown as CvOptions & { json: boolean; quiet: boolean }, stdout);
    });

  tableFlags(cli.command('tune')
    .description('search bins, layers, activation, learning rate, batch size, L2 and dropout around the defaults, each trial scored out of fold (seeded); write the best model')
    .argument('<data>', 'a CSV file or a built-in data set'))
    .option('--trials <n>', 'settings to try (the first is the defaults)', integerIn('--trials', 1, 10000), 20)
    .option('--budget <time>', 'end the search after this long, trials included (those still training are cut short), e.g. 90s, 5m, 1h', durationOption)
    .option('--folds <k>', 'networks of every trial, each holding out one fold and scored on it (default: the default rule\'s, 5; one network with a validation share above 10,000 rows)', integerIn('--folds', 2, 100))
    .option('--epochs <n>', 'epochs of every trial (default: each network stops by its loss, as train)', positiveInteger('--epochs'))
    .option('--target <column>', 'the column to predict (default: the last one)')
    .addOption(new Option('--task <task>', 'classification or regression (default: inferred from the target)').argParser(choice('--task', ['classification', 'regression'] as const)))
    .option('--seed <n>', 'seed of the search, the folds, the weights and the shuffles', integer('--seed'), 1)
    .option('--workers <n>', 'trials at once, each in its own thread (default and most: one per core)', integerIn('--workers', 1, 256))
    .option('--samples <n>', 'rows to generate for a synthetic data set', integerIn('--samples', 2, 1_000_000))
    .option('--noise <amount>', 'noise for a synthetic data set, 0 to 1', numberIn('--noise', 0, 1))
    .option('--backend <name>', 'arithmetic of each trial (single-threaded) and of the final training', choice('--backend', BACKEND_CHOICES), 'auto')
    .option('--out <file>', 'train the best settings as their trial did (what train writes from the flags it prints and the data options given here) and write the model here', nonEmpty('--out'))
    .option('--json', 'print one JSON object: every trial and its score, and the best', false)
    .option('--quiet', 'print nothing but errors', false)
    .addOption(delimiterOption())
    .addOption(decimalCommaOption())
    .action(async (data: string, opts: Record<string, unknown>) => {
      if (opts.json && opts.out === '-') throw new UsageError('--out -: the model and --json would both go to standard output; drop one', '--out');
      const { tuneCommand } = await import('./tune.js');
      await interruptible((signal) =>
        tuneCommand(data, { ...(opts as unknown as TuneOptions & TrainOptions), optimizer: 'adam', memory: DEFAULT_MEMORY, stream: false }, stdout, signal));
    });

  cli.command('evaluate')
    .description('metrics and a confusion matrix of a saved model on labelled CSV data')
    .argument('<model>', 'a model file written by `backprop train --out`')
    .argument('<data>', 'a CSV file with the model\'s feature columns and its target column')
    .option('--json', 'print the metrics as JSON', false)
    .addOption(delimiterOption())
    .addOption(decimalCommaOption())
    .addOption(naValuesFlag(true))
    .addOption(unknownFlag())
    .option('--stream', 'read the data in chunks, in bounded memory (a file, not standard input)', false)
    .action((model: string, data: string, opts: { json: boolean; stream: boolean; unknown: 'ignore' | 'error' } & DataOptions) => evaluateCommand(model, data, opts.json, stdout, opts));

  cli.command('predict')
    .description('predictions of a saved model for new rows, as CSV (or JSON) on standard output')
    .argument('<model>', 'a model file written by `backprop train --out`')
    .argument('<data>', 'a CSV file with the model\'s feature columns, or - for standard input')
    .option('--keep <columns>', 'copy these input columns (an id, say) into the output, e.g. id,name', columnList('--keep'))
    .option('--digits <n>', 'significant digits of probabilities and values', integerIn('--digits', 1, 17), 6)
    .option('--stream', 'read the data in chunks and write predictions as they come, in bounded memory (a file, not standard input)', false)
    .option('--json', 'print the predictions as JSON', false)
    .addOption(delimiterOption())
    .addOption(decimalCommaOption())
    .addOption(naValuesFlag(true))
    .addOption(unknownFlag())
    .action((model: string, data: string, opts: PredictOptions) => predictCommand(model, data, opts, stdout));

  cli.command('importance')
    .description('permutation feature importance: how much the score drops when each column is shuffled')
    .argument('<model>', 'a model file')
    .argument('<data>', 'a CSV file with the model\'s feature columns and its target (held-out rows are best)')
    .option('--repeats <n>', 'shuffles per column, each with its own seed', integerIn('--repeats', 1, 1000), 5)
    .option('--seed <n>', 'seed of the shuffles', integer('--seed'), 1)
    .option('--plot <file>', 'write an SVG bar chart of the importances', nonEmpty('--plot'))
    .option('--json', 'print the importances as JSON', false)
    .addOption(delimiterOption())
    .addOption(decimalCommaOption())
    .addOption(naValuesFlag(true))
    .action((model: string, data: string, opts: { repeats: number; seed: number; json: boolean; plot?: string } & DataOptions) => importanceCommand(model, data, opts, stdout));

  cli.command('explain')
    .description('show one backpropagation update on one example, step by step, with every number')
    .argument('<model>', 'a model file, e.g. examples/seed-worked-example.json')
    .requiredOption('--input <values>', 'the example\'s input values, e.g. 0.1,0.3 (for a model of a table, an empty value or an NA word is a missing one: 0.1,,0.3)', valueList('--input', true))
    .requiredOption('--target <values>', 'the target values (or a class name)', valueList('--target'))
    .option('--lr <rate>', 'learning rate η', positiveNumber('--lr'), 0.5)
    .option('--digits <n>', 'significant digits to print', positiveInteger('--digits'), 3)
    .option('--json', 'print the whole trace as JSON', false)
    .addOption(unknownFlag())
    .action((model: string, opts: { input: (number | string)[]; target: (number | string)[]; lr: number; digits: number; json: boolean; unknown: 'ignore' | 'error' }) =>
      explainCommand(model, opts, stdout));

  cli.command('gradcheck')
    .description('check backpropagation against finite differences on rows of a CSV file')
    .argument('<model>', 'a model file')
    .argument('<data>', 'a CSV file with the model\'s columns, target included')
    .option('--rows <n>', 'how many rows to use', positiveInteger('--rows'), 32)
    .option('--parameters <n>', 'how many parameters of each weight matrix and bias to compare, spread evenly over it, 0 for all (each costs six passes over the rows)', integerIn('--parameters', 0, 1e9), 100)
    .option('--json', 'print the report as JSON', false)
    .addOption(delimiterOption())
    .addOption(decimalCommaOption())
    .addOption(naValuesFlag(true))
    .action(async (model: string, data: string, opts: { rows: number; parameters: number; json: boolean } & DataOptions) => {
      if (!await gradcheckCommand(model, data, opts.rows, opts.parameters, opts.json, stdout, opts)) process.exitCode = EXIT_FAILURE;
    });

  cli.command('export')
    .description('write a model as ONNX, as TensorFlow.js files, or as a standalone JavaScript module')
    .argument('<model>', 'a model file')
    .requiredOption('--to <format>', `onnx, tfjs or js`, choice('--to', EXPORT_FORMATS))
    .option('--out <file>', 'where to write (default: beside the model: MODEL.onnx, MODEL-tfjs/model.json, MODEL.js; - for standard output)', nonEmpty('--out'))
    .option('--quiet', 'print nothing but errors', false)
    .action(async (model: string, opts: { to: ExportFormat; out?: string; quiet: boolean }) => (await import('./interop.js')).exportCommand(model, opts, stdout));

  cli.command('import')
    .description('read an ONNX model or a TensorFlow.js model.json (a multilayer perceptron) into a model file')
    .argument('<file>', 'an .onnx file, or a TensorFlow.js model.json with its weight files beside it')
    .option('--out <file>', 'the model file to write (default: FILE with .json, or MODEL.backprop.json for model.json; - for standard output)', nonEmpty('--out'))
    .option('--features <names>', 'names of the input columns, in order (default x1, x2, ...; a model exported by backprop keeps its own)', columnList('--features'))
    .option('--target <name>', 'the target column\'s name (default label, or y for regression)')
    .option('--classes <names>', 'class names by output (default 0, 1, ...)', valueList('--classes'))
    .option('--quiet', 'print nothing but errors', false)
    .action(async (file: string, opts: ImportCommandOptions) => (await import('./interop.js')).importCommand(file, opts, stdout));

  cli.command('playground')
    .description('serve the playground page (built by npm run build) and print its address')
    .option('--port <n>', 'port on 127.0.0.1 (0 picks a free one)', integerIn('--port', 0, 65535), 8080)
    .action(async (opts: { port: number }) => {
      const root = fileURLToPath(new URL('../playground/', import.meta.url));
      if (!existsSync(join(root, 'index.html'))) throw new BackpropError(`${root}: the playground is not built; run npm run build`);
      const { serveFolder } = await import('./serve.js');
      let served;
      try {
        served = await serveFolder(root, opts.port);
      } catch (e) {
        throw new BackpropError(`--port ${opts.port}: cannot listen there (${(e as NodeJS.ErrnoException).code}); try another port`, '--port');
      }
      stdout.write(`playground at ${served.url} (Ctrl-C to stop)\n`);
      // Ctrl-C stops the server at once, connections a client holds open (keep-alive, or a request it never
      // finishes sending) included, and exits 130 like every interrupted command.
      await new Promise<void>((resolve) => process.once('SIGINT', () => {
        served.server.close(() => resolve());
        served.server.closeAllConnections();
      }));
      process.exitCode = EXIT_INTERRUPTED;
    });

  cli.command('datasets')
    .description('list the built-in data sets')
    .action(() => {
      // Names in a column as wide as the longest (multigauss ran past a column of eight).
      const sets = describeDatasets();
      const width = Math.max(...sets.map(([name]) => name.length));
      for (const [name, description] of sets) stdout.write(`${name.padEnd(width)}  ${description}\n`);
    });

  return cli;
}

/**
 * Runs a command that writes files with Ctrl-C (SIGINT) and SIGTERM turned into an abort signal, so it can stop
 * without leaving anything half-written; run answers false when it was interrupted (exit 130).
 */
async function interruptible(run: (signal: AbortSignal) => Promise<boolean>): Promise<void> {
  const controller = new AbortController();
  const onInterrupt = (): void => controller.abort();
  process.once('SIGINT', onInterrupt);
  process.once('SIGTERM', onInterrupt);
  try {
    if (!(await run(controller.signal))) process.exitCode = EXIT_INTERRUPTED;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    process.removeListener('SIGTERM', onInterrupt);
  }
}

/** --threads: a whole number of threads, or auto. */
function threadsOption(value: string): number | 'auto' {
  // Spaces around the value are trimmed, as BACKPROP_THREADS's are.
  const v = value.trim();
  if (v === 'auto') return 'auto';
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 1024) throw new UsageError(`--threads: expected a whole number of threads from 1 to 1024, or auto, got ${JSON.stringify(value)}`, '--threads');
  return Number(v);
}

/** What train and cv share: the data's target, the network, how it trains, and how the data is read. */
function modelOptions(command: Command): Command {
  return tableFlags(command)
    .option('--target <column>', 'the column to predict (default: the last one); repeat it for a multi-output regression', (value: string, previous?: string[]) => [...(previous ?? []), value])
    .addOption(new Option('--task <task>', 'classification or regression (default: inferred from the target)').argParser(choice('--task', ['classification', 'regression'] as const)))
    .option('--bins <n>', `piecewise-linear encoding of each numeric column over n quantile bins of the training rows, 0 for none (default ${DEFAULT_BINS}, fewer when the columns are many)`, binsOption)
    .option('--bagging <k>', `networks trained on k folds, each holding out its own fold to stop on, averaged into one (default ${DEFAULT_BAGGING}, or 1 above ${thousands(BAGGING_MAX_ROWS)} rows; 1 for one network with --validation's share)`, integerIn('--bagging', 1, 100))
    .option('--layers <sizes>', 'hidden layer sizes, e.g. 16,8 (0 for none)', layerList, [...DEFAULT_LAYERS])
    .option('--activation <name>', `hidden activation: ${ACTIVATION_NAMES.filter((a) => a !== 'softmax').join(', ')}`, choice('--activation', ACTIVATION_NAMES.filter((a) => a !== 'softmax')), 'relu')
    .option('--loss <name>', `loss: ${LOSS_NAMES.join(', ')} (default: from the task)`, choice('--loss', LOSS_NAMES))
    .option('--optimizer <name>', `optimizer: ${OPTIMIZER_NAMES.join(', ')}`, choice('--optimizer', OPTIMIZER_NAMES), 'adam')
    .option('--lr <rate>', 'learning rate η (default: the optimizer\'s usual, 0.001 for adam and adamw)', positiveNumber('--lr'))
    .option('--epochs <n>', 'passes over the training rows (default: until the loss stops falling, at most 1000 epochs or 200000 steps)', positiveInteger('--epochs'))
    .option('--batch-size <n>', 'rows per gradient step (1 = per-example updates)', positiveInteger('--batch-size'), 32)
    .option('--l1 <λ>', 'L1 penalty λ·Σ|w| on the weights (not biases)', nonNegativeNumber('--l1'))
    .option('--l2 <λ>', 'L2 penalty λ·Σw² on the weights (not biases); default 3/n for n training rows, at most 0.3/Σw² of the initial weights for classes, 2/Σw² for a regression (0 with adamw)', nonNegativeNumber('--l2'))
    .option('--weight-decay <λ>', 'decoupled weight decay of --optimizer adamw: w ← w − η·λ·w each step (default 0.01)', nonNegativeNumber('--weight-decay'))
    .option('--dropout <rate>', 'inverted dropout on the hidden layers while training: a rate for all, or one per hidden layer (0.3,0.1)', dropoutOption)
    .option('--class-weight <weights>', 'weigh each row\'s loss by its class: balanced (n / (classes × rows of the class)) or CLASS=W pairs, e.g. spam=5', classWeightOption)
    .option('--clip-norm <c>', 'scale each gradient down to this global norm when it is larger', positiveNumber('--clip-norm'))
    .option('--schedule <rule>', 'learning rate by epoch: step:EVERY:FACTOR, exponential:RATE, cosine[:MINIMUM] or plateau[:FACTOR[:PATIENCE]] (on the validation loss, else the training loss)', scheduleOption)
    .option('--seed <n>', 'seed for the weights, the split (or folds) and the shuffles', integer('--seed'), 1)
    .option('--samples <n>', `rows to generate for a synthetic data set (${SYNTHETIC_NAMES.join(', ')}), 2 to 1000000`, integerIn('--samples', 2, 1_000_000))
    .option('--noise <amount>', 'noise for a synthetic data set, 0 to 1', numberIn('--noise', 0, 1))
    .option('--backend <name>', 'arithmetic: auto (the system BLAS where found, else WebAssembly SIMD on every core), blas, wasm or reference', choice('--backend', BACKEND_CHOICES), 'auto')
    .addOption(delimiterOption())
    .addOption(decimalCommaOption());
}

/** --bins: 0, or 2 to 256. */
function binsOption(value: string): number {
  const v = Number(value);
  if (!(v === 0 || (Number.isInteger(v) && v >= 2 && v <= 256)) || value.trim() === '') throw new UsageError(`--bins: expected 0 (none) or a whole number of bins from 2 to 256, got "${value}"`, '--bins');
  return v;
}

/** Options that only make sense together, checked before any data is read. */
function checkTrainingControls(opts: Record<string, unknown>): void {
  if (opts.weightDecay !== undefined && opts.optimizer !== 'adamw') {
    throw new UsageError(`--weight-decay: decoupled weight decay belongs to --optimizer adamw (this run uses ${String(opts.optimizer)}); for the others use --l2`, '--weight-decay');
  }
}

/** Settings read from the environment: a bad one is the user's mistake, as a bad flag is (exit 2, as --threads). */
const ENVIRONMENT_SETTINGS: ReadonlySet<string> = new Set(['BACKPROP_THREADS', 'BACKPROP_BLAS']);

export async function main(argv: string[]): Promise<number> {
  currentCommand = argv.find((a) => !a.startsWith('-')) ?? '';
  try {
    await program().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander has printed its own message (one line, see configureOutput) or the help already.
      return e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? EXIT_OK : EXIT_USAGE;
    }
    if (e instanceof BackpropError && !(e instanceof UsageError) && e.field !== undefined && LIBRARY_OPTIONS.has(e.field)) {
      // The library names its option (earlyStopping); the command line knows it as a flag (--early-stopping). A bad
      // option is a usage error; data that an option cannot serve (a fold of one class) is not.
      const message = asFlags(e.message, e.field);
      process.stderr.write(`backprop: ${printable(message.replace(/\s*\n\s*/g, ' '), 4000)}\n`);
      return e instanceof OptionError ? EXIT_USAGE : EXIT_FAILURE;
    }
    if (e instanceof BackpropError) {
      // One line, with any control character that came from a file's content shown as an escape.
      process.stderr.write(`backprop: ${printable(e.message.replace(/\s*\n\s*/g, ' '), 4000)}\n`);
      return e instanceof UsageError || e instanceof OptionError || (e.field !== undefined && ENVIRONMENT_SETTINGS.has(e.field)) ? EXIT_USAGE : EXIT_FAILURE;
    }
    process.stderr.write(`backprop: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    return EXIT_FAILURE;
  }
}

process.exitCode = await main(process.argv.slice(2));
