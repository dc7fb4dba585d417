// The WebAssembly kernels of backprop, compiled from this folder by scripts/build-wasm.mjs.
export { gemm, workBytes } from './gemm';
export { addRowVector, axpy, fillRows, gatherRows, relu, reluBackward, sumRows } from './elementwise';
export { adamStep, addPenaltyGradient, momentumStep, rmspropStep, sub } from './optimizers';
export { activationBackward, leakyRelu, lossSum, reduce, sigmoid, softmax, softmaxBackward, softmaxCrossEntropy, tanh } from './activations';
export { trainExamples } from './examples';
export { addRowVector64, axpy64, relu64, reluBackward64, softmax64, softmaxCrossEntropy64, sub64, sumRows64 } from './float64';
