// The public API of backprop: everything a user imports comes from here. The front door is train(): data as you
// have it in, a Model out; the layers below it (networks, kernels, fit, preprocessing) stay public for those who
// need them.
export { train, planTraining, withPiecewise, withoutPiecewise, unbinnedMembers, baggedRuns, chooseBagged, keptLoss, averageInputs, networkFor, measure, tableNotes, validationSplit, type Metrics, type PlanFitOptions, type TrainingPlan, type BaggedRun, type BagChoice } from './model/train.js';
export { Model, type ClassPrediction, type ExplainOptions, type ImportanceOptions, type LabelOptions, type Prediction, type PredictionFor, type ValuePrediction } from './model/model.js';
export { crossValidate, type CrossValidateOptions, type CvResult } from './model/cv.js';
export {
  asFlags, drawTrials, inThreadRunner, registerTrialRunner, trialScore, tune,
  type Settings, type Trial, type TrialOptions, type TrialRunner, type TrialRunnerFactory, type TuneOptions, type TuneResult,
} from './model/tune.js';
export { permutationImportance, type FeatureImportance, type ImportanceResult } from './model/importance.js';
export { checkFinite, Evaluation, type ClassificationReport, type EvaluationReport, type RegressionReport, type TargetScores } from './model/evaluation.js';
export {
  BAG_CHOICE_MAX_ROWS, BAGGING_MAX_ROWS, REFIT_MAX_ROWS, baggingFor, DEFAULT_BAGGING, DEFAULT_LAYERS, DEFAULT_PATIENCE, DEFAULT_TOLERANCE, DEFAULTS, defaultEpochs, defaultPatience, defaultL2, DEFAULT_L2_BOUND, HIDDEN_ACTIVATIONS, MODEL_OPTION_NAMES, OptionError, parseSchedule,
  resolveOptions, settle, sumOfSquaredWeights, TRAIN_OPTION_NAMES,
  type ClassWeightRule, type HiddenActivation, type ModelOptions, type ResolvedOptions, type ScheduleRule, type SettledOptions, type TrainOptions,
} from './model/options.js';
export { isDataFrame, toFrame, type ArrowLikeTable, type FrameOptions, type TableData, type TableRecord } from './model/table.js';
export { BackpropError } from './core/errors.js';
export type { ElementwiseFunction, ElementwiseLoss, FusedLayer, Kernels, ProductPlan, StepPlan } from './core/kernels.js';
export {
  clone, dtypeOf, fromRows, get, row, rowSlice, rowVector, toRows, zeros,
  type DType, type FloatArray, type Matrix,
} from './core/matrix.js';
export { Random } from './core/random.js';
export { referenceKernels } from './core/reference.js';
export { BACKEND_CHOICES, chooseKernels, defaultKernels, type BackendChoice } from './core/backends.js';
export { ACTIVATION_NAMES, getActivation, type Activation, type ActivationName, type InitScheme } from './nn/activations.js';
export { LOSS_NAMES, getLoss, type Loss, type LossName } from './nn/losses.js';
export { Dense, type DenseBuffers } from './nn/dense.js';
export type { BatchInput } from './nn/input.js';
export { Network, PREDICT_BLOCK_ROWS, type LayerGradientNorm, type LayerWeights, type NetworkOptions, type Parameter, type PassOptions } from './nn/network.js';
export { dropoutRates, type DropoutMasks } from './nn/dropout.js';
export { averageNetworks, type AverageOptions } from './nn/ensemble.js';
export { resolveSpec, type LayerSpec, type NetworkSpec, type ResolvedSpec } from './nn/spec.js';
export { traceUpdate, type LayerTrace, type TraceOptions, type UpdateTrace } from './nn/trace.js';
export {
  gradientCheck, relativeError,
  type GradientCheckOptions, type GradientCheckReport, type ParameterCheck,
} from './nn/gradcheck.js';
export { generate, multigauss, REGRESSION_SETS, SYNTHETIC_NAMES, type Dataset2D, type SyntheticName, type SyntheticOptions } from './data/synthetic.js';
export { classesOf, labelIndices, oneHot, type Label } from './data/encoding.js';
export {
  DEFAULT_BINS, defaultFit, encodePiecewise, encodePiecewiseRow, fitPiecewise, MAX_PIECEWISE_BYTES, MAX_PIECEWISE_WIDTH, piecewiseWidth, valueSlots, type Piecewise, type PiecewiseColumn, type PiecewiseFit,
} from './data/piecewise.js';
export { applyScaler, fitScaler, scaleRow, SCALER_KINDS, type Scaler, type ScalerKind } from './data/scaling.js';
export { splitRows, stratifiedFolds, takeRows, trainTestSplit, type Split, type SplitOptions } from './data/split.js';
export { prepareClassification, type PreparedClassification } from './data/prepare.js';
export {
  decodeOutput, decodeValues, encodedWidth, featureWidth, inputNames, inputWidth, scaledCount, scaledInputs, type Decoded, type FeatureSpec, type LeftOut, type Preprocessing, type TargetSpec,
} from './data/preprocessing.js';
export { DEFAULT_NA_VALUES, MISSING, medianOf } from './data/missing.js';
export { chooseTask, MAX_NUMERIC_CLASSES, MIN_ROWS_PER_CLASS, type TargetValues, type TaskChoice } from './data/task.js';
export { DATE_PARTS, DATE_REFERENCE, datePart, parseDate, parseDateIn, type DateOrder, type DatePart } from './data/dates.js';
export { columnsOf, frameFromTable, type Column, type Task, type TextTable } from './data/columns.js';
export {
  describeFrame, encodeFrameInputs, encodeFrameTargets, encodeRecord, fitFramePreprocessing, inferFrameTask, missingCount, newTally, unusedFrameColumns,
  IDENTIFIER_MIN_DISTINCT, type DataFrame, type DescribeOptions, type EncodePolicy, type EncodeTally, type FrameColumn, type FrameDescription,
} from './data/frame.js';
export {
  EarlyStopping, HISTORY_EPOCHS, LossStop, type BatchLogs, type Callback, type EarlyStoppingOptions, type EpochLogs, type History, type LossStopOptions,
  type StopReason, type TrainingControl,
} from './train/callbacks.js';
export { DivergenceError, evaluate, fit, fitAsync, type FitOptions } from './train/fit.js';
export { fitBatches, type Batch, type BatchSource, type FitBatchesOptions } from './train/batches.js';
export { Trainer, type TrainerOptions } from './train/trainer.js';
export { classWeights, rowWeights, type ClassWeight } from './train/class-weights.js';
export {
  accuracy, classOf, classScores, confusionMatrix, regressionScores,
  type ClassScores, type RegressionScores,
} from './train/metrics.js';
export { createOptimizer, OPTIMIZER_NAMES, type Optimizer, type OptimizerConfig, type OptimizerName } from './train/optimizers.js';
export { learningRateAt, rateSchedule, type LearningRateSchedule, type RateSchedule } from './train/schedules.js';
export {
  MAX_MODEL_BYTES, MODEL_FORMAT, MODEL_VERSION, modelData, modelFromJSON, modelToJSON, parseModel, stringifyModel,
  type LoadedModel, type ModelFile, type ModelSource,
} from './io/model-file.js';
export { createWasmKernels, createWasmKernelsSync, helperLoop, sharedMemorySupported, wasmSupported, type WasmKernels, type WasmOptions } from './core/wasm/backend.js';
