// This process's peak resident memory, for benches that run children.

import { existsSync, readFileSync } from 'node:fs';

/**
 * VmHWM on Linux (ru_maxrss would count the parent's peak, which a child inherits across fork and
 * exec), else ru_maxrss.
 */
export function peakResident(): number {
  if (existsSync('/proc/self/status')) {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  }
  return process.resourceUsage().maxRSS * 1024;
}
