// The WebAssembly kernels of backprop, compiled from this folder by `npm run build:wasm`.
export { gemm, workBytes } from './gemm';
