// Which character separates a file's cells, told from its first lines: the candidate that splits most
// lines into the same number of cells (commas, semicolons, tabs, bars, or single spaces as in some of
// sklearn's bundled files), or runs of spaces and tabs (columns aligned for reading, as R and
// Fortran write them).

/** The delimiter of files whose cells are separated by runs of spaces and tabs, leading ones ignored. */
export const WHITESPACE = 'whitespace';
const CANDIDATES = [',', ';', '\t', '|', ' ', WHITESPACE] as const;
const SAMPLE_LINES = 30;

/** Cells a line splits into at `delimiter`, counting only delimiters outside double quotes. */
function cellsIn(line: string, delimiter: string): number {
  let count = 1;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === delimiter && !quoted) count++;
  }
  return count;
}

/** A line's cells at `delimiter`, or at runs of spaces and tabs for WHITESPACE (quotes not considered: for sniffing a file's head). */
export function lineCells(line: string, delimiter: string): string[] {
  return delimiter === WHITESPACE ? line.trim().split(/[ \t]+/) : line.split(delimiter);
}

/** The delimiter of a file whose first characters are `head` (',' when nothing else fits better). */
export function sniffDelimiter(head: string): string {
  const lines = head.split(/\r?\n/).slice(0, SAMPLE_LINES + 1);
  // the last line of the head may be cut short
  if (lines.length > 1) lines.pop();
  const sample = lines.filter((l) => l.trim() !== '');
  if (sample.length === 0) return ',';
  let best = ',';
  let bestScore = 0;
  // single spaces split cells only where no run of them aligns columns
  const aligned = sample.filter((l) => /[ \t] /.test(l.trim())).length > sample.length / 2;
  for (const d of CANDIDATES) {
    if (d === ' ' && aligned) continue;
    const counts = sample.map((l) => (d === WHITESPACE ? lineCells(l, d).length : cellsIn(d === ' ' ? l.trim() : l, d)));
    const tally = new Map<number, number>();
    for (const c of counts) tally.set(c, (tally.get(c) ?? 0) + 1);
    const [cells, agreeing] = [...tally.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0];
    if (cells < 2) continue;
    // most lines agree (a preamble line may not); the most agreement wins, ties go to the earlier candidate
    const score = agreeing >= Math.max(1, sample.length * 0.8 - 1) ? agreeing : 0;
    if (score > bestScore) {
      best = d;
      bestScore = score;
    }
  }
  return best;
}
