// Errors of data loading. Inside a reader a bad cell is a CsvCellError (line relative to the text it
// read); the user sees a DataError, which names the input, line and column and carries them as fields.

/** A bad cell or row, with its position relative to the start of the parsed text (column 0-based). */
export class CsvCellError extends Error {
  constructor(readonly line: number, readonly column: number | null, readonly detail: string) {
    super(detail);
  }
}

/** Data that cannot be loaded as asked: the message says what and where; the fields say it to code. */
export class DataError extends Error {
  /** The input's name: its path, a File's name, or 'CSV input'. */
  readonly source: string;
  /** 1-based line of the file, when one line is at fault. */
  readonly line?: number;
  /** 1-based column, when one cell is at fault. */
  readonly column?: number;
  /** What the fault is, without where. */
  readonly detail: string;

  /** A data problem in `source` (a file's name), at a line and column where there is one. */
  constructor(source: string, detail: string, line?: number, column?: number) {
    const at = [line === undefined ? '' : `line ${line}`, column === undefined ? '' : `column ${column}`].filter(Boolean).join(', ');
    const where = at ? `, ${at}` : '';
    super(`ffnn: ${source}${where}: ${detail}`);
    this.name = 'DataError';
    this.source = source;
    this.detail = detail;
    if (line !== undefined) this.line = line;
    if (column !== undefined) this.column = column;
  }
}

/** A reader's error as the user sees it: a CsvCellError gets the input's name; others pass through. */
export function located(error: unknown, source: string): Error {
  if (error instanceof DataError) return error;
  if (error instanceof CsvCellError) {
    return new DataError(source, error.detail, error.line > 0 ? error.line : undefined, error.column === null ? undefined : error.column + 1);
  }
  return error as Error;
}

/** A cell as messages quote it: JSON, cut at 20 characters. */
export function quoted(cell: string): string {
  return JSON.stringify(cell.length > 20 ? cell.slice(0, 20) + '…' : cell);
}
