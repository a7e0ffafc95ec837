// Browser twin of files.ts: a page has no file paths. Models travel as JSON (net.toJSON(),
// Network.fromJSON()), data as File or Blob objects (loadCsv), fetched files by URL.

function noPaths(what: string, path: string): Error {
  return new Error(
    `ffnn: ${what} '${path}' needs a file system, and a browser has none; ` +
      'use net.toJSON() / Network.fromJSON(JSON.parse(await file.text())) for models, a File or Blob for CSV data, or fetch() for URLs',
  );
}

export function readBytes(path: string, _allocate?: (size: number) => Uint8Array | null): Promise<Uint8Array> {
  return Promise.reject(noPaths('reading', path));
}

export function readText(path: string): Promise<string> {
  return Promise.reject(noPaths('reading', path));
}

export function writeText(path: string, _text: string): Promise<void> {
  return Promise.reject(noPaths('writing', path));
}

export function readHead(path: string, _count: number): Promise<Uint8Array> {
  return Promise.reject(noPaths('reading', path));
}
