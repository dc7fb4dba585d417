// Moving models in and out: ONNX (both ways), TensorFlow.js's layers format (both ways) and a standalone ES
// module. Each export takes a model file's data (`modelToJSON(network, preprocessing)`) or a table Model; each
// import answers a model file's data, to check and build with `modelFromJSON`. Browser-safe: bytes and text in,
// bytes and text out.
export { doubleInputs, exportONNX, FLOAT_RESOLUTION, ONNX_METADATA, ONNX_ML_OPSET, ONNX_OPSET } from './onnx-export.js';
export { importONNX } from './onnx-import.js';
export type { ImportOptions } from './foreign.js';
export { exportTFJS, importTFJS, tfjsWeightGroups, type TFJSModelJSON, type TFJSWeightEntry, type TFJSWeightGroup } from './tfjs.js';
export { exportStandalone } from './standalone.js';
