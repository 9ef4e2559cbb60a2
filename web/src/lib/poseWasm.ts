// The MediaPipe WASM files, bundled by Vite as content-hashed assets of the web app (served
// with immutable caching under /assets/), so the pose model never loads anything from a CDN.
import noSimdBinary from "../../node_modules/@mediapipe/tasks-vision/wasm/vision_wasm_nosimd_internal.wasm?url";
import noSimdLoader from "../../node_modules/@mediapipe/tasks-vision/wasm/vision_wasm_nosimd_internal.js?url";
import simdBinary from "../../node_modules/@mediapipe/tasks-vision/wasm/vision_wasm_internal.wasm?url";
import simdLoader from "../../node_modules/@mediapipe/tasks-vision/wasm/vision_wasm_internal.js?url";

export const SIMD = { wasmLoaderPath: simdLoader, wasmBinaryPath: simdBinary };
export const NO_SIMD = { wasmLoaderPath: noSimdLoader, wasmBinaryPath: noSimdBinary };
