// The single-file browser build imports .wasm files as bytes (esbuild's binary loader).
declare module '*.wasm' {
  const bytes: Uint8Array<ArrayBuffer>;
  export default bytes;
}
