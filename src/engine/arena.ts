// Loaded data in WebAssembly memory a network can then run in.
//
// A loader that reads a file of bytes (MNIST's IDX images) can put them in the open arena: a shared
// WebAssembly.Memory the process holds until a network takes it. The next WebAssembly network
// created on one thread takes the arena as its own memory and starts its heap above the data, so
// its batches read those rows where they lie: no copy of the set into fresh memory (47 MB of page
// faults for MNIST), no copy per row from the host's array, no garbage per step.
//
// The memory is shared so that it can grow without detaching the arrays the loaders handed out
// (growing a plain memory detaches its buffer); nothing else about it is shared. Where there is no
// SharedArrayBuffer (a page that is not cross-origin isolated) loaders allocate plain arrays.

const PAGE = 65536;
/** Where the first data set starts: above the few KB of static data every kernel build keeps at the bottom. */
export const ARENA_FIRST = PAGE;
/** The least memory the threads builds import (their initialMemory in asconfig.json), in pages. */
const MIN_PAGES = 16;
/** The most a WebAssembly memory holds (4 GiB). */
const MAX_PAGES = 65536;

/** @internal A memory of loaded data sets: `top` is the end of the last one. */
export interface Arena {
  readonly memory: WebAssembly.Memory;
  top: number;
}

let open: Arena | null = null;
/** Every buffer an arena handed a view of (a grown shared memory gives a new buffer object). */
const arenaOf = new WeakMap<ArrayBufferLike, Arena>();

function sharedMemoryAvailable(): boolean {
  return typeof SharedArrayBuffer === 'function' && typeof WebAssembly === 'object';
}

/**
 * @internal `count` bytes in the open arena (zero, and each page already written, so their first use
 * costs no page fault), or null where there is none or it cannot grow that far: the caller allocates
 * a plain array then.
 */
export function arenaBytes(count: number): Uint8Array | null {
  if (!sharedMemoryAvailable()) return null;
  const at = open ? open.top : ARENA_FIRST;
  const end = at + count;
  if (end > MAX_PAGES * PAGE) return null;
  try {
    if (!open) {
      open = { memory: new WebAssembly.Memory({ initial: Math.max(MIN_PAGES, Math.ceil(end / PAGE)), maximum: MAX_PAGES, shared: true }), top: at };
    } else if (end > open.memory.buffer.byteLength) {
      open.memory.grow(Math.ceil((end - open.memory.buffer.byteLength) / PAGE));
    }
  } catch {
    return null; // no room for another memory or for its growth: a plain array will do
  }
  const buffer = open.memory.buffer;
  arenaOf.set(buffer, open);
  const bytes = new Uint8Array(buffer, at, count);
  for (let i = 0; i < count; i += 4096) bytes[i] = 0;
  open.top = (end + 15) & ~15;
  return bytes;
}

/**
 * @internal The free end of the open arena (a new one if none is open), lent to one loader that does
 * not know yet how much it will fill (a CSV read): it grows the memory as it writes from `from` on,
 * and nothing else is placed there until endTail says how much it kept. Null where there is no
 * SharedArrayBuffer.
 */
export interface ArenaTail {
  readonly memory: WebAssembly.Memory;
  /** byte offset where the loader writes */
  readonly from: number;
}

const lent = new WeakMap<ArenaTail, Arena>();

export function lendTail(): ArenaTail | null {
  if (!sharedMemoryAvailable()) return null;
  let arena = open;
  if (!arena) {
    try {
      arena = { memory: new WebAssembly.Memory({ initial: MIN_PAGES, maximum: MAX_PAGES, shared: true }), top: ARENA_FIRST };
    } catch {
      return null;
    }
  }
  open = null; // a load meanwhile opens an arena of its own
  const tail = { memory: arena.memory, from: arena.top };
  lent.set(tail, arena);
  return tail;
}

/**
 * @internal Ends a lend: the first `kept` bytes from tail.from hold data (`data` is a view of them, or
 * null when kept is 0), the rest is free again. The arena is open again unless another one opened
 * meanwhile (its data then simply stays where it is, read from the host like any array's).
 */
export function endTail(tail: ArenaTail, kept: number, data: ArrayBufferView | null): void {
  const arena = lent.get(tail);
  if (!arena) return;
  lent.delete(tail);
  arena.top = (tail.from + kept + 15) & ~15;
  if (data) arenaOf.set(data.buffer, arena);
  open ??= arena;
}

/** @internal The open arena, now the caller's (a network's memory), or null when none holds data. */
export function takeArena(): Arena | null {
  if (!open || open.top === ARENA_FIRST) return null;
  const taken = open;
  open = null;
  return taken;
}

/** @internal Where `data` lies in `memory`, as a byte offset, when it lies there (else -1). */
export function offsetIn(memory: WebAssembly.Memory, data: ArrayBufferView): number {
  const arena = arenaOf.get(data.buffer);
  return arena && arena.memory === memory ? data.byteOffset : -1;
}
