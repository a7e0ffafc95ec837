// Loaded data in WebAssembly memory a network can then run in.
//
// A loader that reads a data set of 1 MiB or more from a file (MNIST's IDX images, the features of
// a CSV file) writes it into an arena: a shared WebAssembly.Memory of its own. The arena is offered
// to the next WebAssembly network created (the largest one, when several sets wait: the training
// set rather than the test set), which takes it as its own memory and starts its heap above the
// data, so its batches read those rows where they lie: no copy of the set into fresh memory (47 MB
// of page faults for MNIST), no copy per row from the host's array.
//
// An arena is offered only while an array the loader handed out lives, and only the last few
// (OFFERED_AT_MOST): a program that loads set after set, and drops them, leaves no memory behind.
// The memory is shared so that it can grow without detaching those arrays (growing a plain memory
// detaches its buffer); nothing else about it is shared. Where there is no SharedArrayBuffer (a page
// that is not cross-origin isolated) loaders allocate plain arrays.

const PAGE = 65536;
/** Where the data starts: above the few KB of static data every kernel build keeps at the bottom. */
export const ARENA_FIRST = PAGE;
/** The least memory the threads builds import (their initialMemory in asconfig.json), in pages. */
const MIN_PAGES = 16;
/** The most a WebAssembly memory holds (4 GiB). */
const MAX_PAGES = 65536;
/**
 * Smaller sets stay plain arrays: read in place they would gain little, and each arena is a memory
 * of at least 1 MiB that reserves address space for 4 GiB (Node 20 made 5 000 of them here).
 */
export const ARENA_MIN_BYTES = 1 << 20;
/** Arenas offered at once: enough for a training, a validation and a test set, and one more. */
const OFFERED_AT_MOST = 4;

/** @internal A memory holding one loaded data set: `top` is where the data ends. */
export interface Arena {
  readonly memory: WebAssembly.Memory;
  top: number;
  /** arrays of the data the program may hold (see arenaHolds) */
  views: number;
  taken: boolean;
}

/** Arenas of data no network took yet, the most recent last. */
const offered: Arena[] = [];
/** Every buffer an arena handed a view of (a grown shared memory gives a new buffer object). */
const arenaOf = new WeakMap<ArrayBufferLike, Arena>();
const collected = new FinalizationRegistry<Arena>((arena) => {
  if (--arena.views === 0) withdraw(arena);
});

function withdraw(arena: Arena): void {
  const i = offered.indexOf(arena);
  if (i >= 0) offered.splice(i, 1);
}

function newArena(bytes: number): Arena | null {
  if (typeof SharedArrayBuffer !== 'function' || typeof WebAssembly !== 'object' || bytes > MAX_PAGES * PAGE) return null;
  try {
    const memory = new WebAssembly.Memory({ initial: Math.max(MIN_PAGES, Math.ceil(bytes / PAGE)), maximum: MAX_PAGES, shared: true });
    return { memory, top: ARENA_FIRST, views: 0, taken: false };
  } catch {
    return null; // no room for another memory: a plain array will do
  }
}

/**
 * @internal `count` bytes in an arena of their own (zero, and each page already written, so their
 * first use costs no page fault), or null for fewer than ARENA_MIN_BYTES or where no arena can be
 * made: the caller allocates a plain array then. The loader then names the arrays it hands out
 * (arenaHolds).
 */
export function arenaBytes(count: number): Uint8Array | null {
  if (count < ARENA_MIN_BYTES) return null;
  const arena = newArena(ARENA_FIRST + count);
  if (!arena) return null;
  const bytes = new Uint8Array(arena.memory.buffer, ARENA_FIRST, count);
  for (let i = 0; i < count; i += 4096) bytes[i] = 0;
  arena.top = (ARENA_FIRST + count + 15) & ~15;
  arenaOf.set(bytes.buffer, arena);
  return bytes;
}

/**
 * @internal Tells the arena `view` lies in (if any) that the program holds it: a loader's data as it
 * hands it out. The arena is offered to the next network while one such array lives.
 */
export function arenaHolds(view: ArrayBufferView): void {
  const arena = arenaOf.get(view.buffer);
  if (!arena || arena.taken) return;
  arena.views++;
  collected.register(view, arena);
  if (offered.includes(arena)) return;
  offered.push(arena);
  if (offered.length > OFFERED_AT_MOST) offered.shift();
}

/**
 * The end of an arena's memory, from a byte offset on, which a loader grows as it writes (a type of
 * the loaders, named in their declarations; not the API's).
 */
export interface ArenaTail {
  readonly memory: WebAssembly.Memory;
  /** byte offset where the loader writes */
  readonly from: number;
}

const lent = new WeakMap<ArenaTail, Arena>();

/**
 * @internal A new arena's memory from ARENA_FIRST on, lent to a loader that does not know yet how
 * much it will fill (a CSV read of `expectedBytes`): it grows the memory as it writes, then says with
 * endTail how much it kept. Null for smaller reads, or where there is no SharedArrayBuffer.
 */
export function lendTail(expectedBytes: number): ArenaTail | null {
  if (expectedBytes < ARENA_MIN_BYTES) return null;
  const arena = newArena(ARENA_FIRST);
  if (!arena) return null;
  const tail = { memory: arena.memory, from: arena.top };
  lent.set(tail, arena);
  return tail;
}

/**
 * @internal Ends a lend: the first `kept` bytes from tail.from hold data, which `data` is the array of
 * (null when nothing was kept: the memory is then simply dropped).
 */
export function endTail(tail: ArenaTail, kept: number, data: ArrayBufferView | null): void {
  const arena = lent.get(tail);
  if (!arena) return;
  lent.delete(tail);
  if (kept === 0 || !data) return;
  arena.top = (tail.from + kept + 15) & ~15;
  arenaOf.set(data.buffer, arena);
  arenaHolds(data);
}

/** @internal The largest offered arena, now the caller's (a network's memory), or null when none is offered. */
export function takeArena(): Arena | null {
  if (offered.length === 0) return null;
  const arena = offered.reduce((a, b) => (b.top > a.top ? b : a));
  withdraw(arena);
  arena.taken = true;
  return arena;
}

/**
 * @internal Grows `memory` to hold at least `bytes` bytes, when it may grow to `room` (at most 4 GiB):
 * whether it holds them now.
 */
export function growMemory(memory: WebAssembly.Memory, bytes: number, room = bytes): boolean {
  if (room > MAX_PAGES * PAGE) return false;
  const have = memory.buffer.byteLength;
  if (bytes <= have) return true;
  try {
    memory.grow(Math.ceil((bytes - have) / PAGE));
    return true;
  } catch {
    return false;
  }
}

/** @internal Where `data` lies in `memory`, as a byte offset, when it lies there (else -1). */
export function offsetIn(memory: WebAssembly.Memory, data: ArrayBufferView): number {
  const arena = arenaOf.get(data.buffer);
  return arena && arena.memory === memory ? data.byteOffset : -1;
}
