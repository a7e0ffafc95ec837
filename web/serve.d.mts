// Types for serve.mjs, which the browser tests import.
export function startDemo(options?: { port?: number; build?: boolean; log?: boolean }): Promise<{ url: string; close: () => Promise<void> }>;
