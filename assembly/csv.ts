// The CSV scanner: delimited text in, rows of float32 out, for files without quotes. Built on its own
// (build/ffnn-csv.wasm), apart from the training kernels.
//
// scan() reads whole lines of `input` and, per row, writes each feature cell that is a plain decimal
// number straight into `out` (row-major, `width` floats a row, at the column `dest` gives), and
// reports every other cell it must hand to the host as an exception: a cell of a column the host
// reads as text (role 1), or a feature cell that is empty or not a plain number (the host then reads
// its text exactly as csv-parse's path does, Number() included). A number is converted only when the
// conversion is exact to the last bit: at most 19 significant digits forming an integer M ≤ 2^53,
// and a decimal exponent E with |E| ≤ 22, so M·10^E (or M/10^−E) is one correctly rounded
// operation on exact operands (Clinger's fast path) and equals Number(text); that double is then
// rounded to float32 as Math.fround does. Anything else is an exception, which the host converts.
//
// It declines (status DECLINE) what csv-parse must read instead: a double quote anywhere (a quoted
// field may hold delimiters and newlines) or a carriage return that does not end a line. A row with
// the wrong number of cells stops the scan (status RAGGED) so the host can say where.

// i32 slots of the state block
const S_LINE = 0; //        in: the line number of input's first line; out: of the first line not read
const S_ROWS = 1; //        out: rows written
const S_EXCEPTIONS = 2; //  out: exceptions written
const S_STATUS = 3; //      out: see below
const S_ERROR_LINE = 4; //  out, RAGGED: the row's line
const S_ERROR_CELLS = 5; // out, RAGGED: its cells
const S_CONSUMED = 6; //    out: bytes of input read (whole lines; the rest waits for more input)
const S_BYTES = 7; //       out: 1 when every feature cell of the rows written was a whole number 0–255 (see `bytes`)

const DONE = 0; //     every whole line read (with `final`: all of input)
const DECLINE = 1; //  a quote or a lone carriage return: csv-parse must read this file
const RAGGED = 2; //   a row with the wrong number of cells
const FULL = 3; //     out of room for rows or exceptions: call again with the rest

// an exception: i32 row, cell, kind (1 empty, 2 text), start, end (byte offsets into input)
const EXCEPTION_BYTES = 20;
const KIND_EMPTY = 1;
const KIND_TEXT = 2;

const QUOTE: u32 = 34;
const CR: u32 = 13;
const LF: u32 = 10;

// 10^0 … 10^22 are exact doubles; 10^0 … 10^19 exact u64
const POW10_F64: StaticArray<f64> = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
const POW10_U64: StaticArray<u64> = [
  1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000, 10000000000, 100000000000,
  1000000000000, 10000000000000, 100000000000000, 1000000000000000, 10000000000000000, 100000000000000000,
  1000000000000000000, 10000000000000000000,
];
const EXACT_LIMIT: u64 = 9007199254740992; // 2^53

// Writes v as a byte when it is a whole number 0–255 (-0 as 0); 0 when it is not (NaN neither).
@inline function putByte(at: usize, v: f32): i32 {
  if (!(v >= 0 && v <= 255)) return 0;
  const b = <i32>v;
  if (<f32>b != v) return 0;
  store<u8>(at, <u8>b);
  return 1;
}

@inline function isSpace(b: u32, delimiter: u32): bool {
  // the ASCII whitespace Number() skips around a number (but not the delimiter itself)
  return (b == 32 || b == 9 || b == 11 || b == 12) && b != delimiter;
}

// Scans rows from input[0, len). roles: u8 per cell (0 feature, 1 report as text, 2 skip); dest: i32
// per cell (feature column); out: maxRows × width f32; lines and starts: i32 per row, its line number
// and where it starts in input (so the host can quote any cell's own text); exceptions: maxExceptions
// records. input[len] must be readable (a sentinel byte that is no digit). bytes: maxRows × width u8,
// where each value is written as a byte too while every one is a whole number 0–255 (S_BYTES says
// whether all were): rows of pixels, counts or codes are then kept as bytes without a second pass.
export function scan(state: usize, input: usize, len: i32, final: i32, delimiter: i32, cells: i32,
  roles: usize, dest: usize, width: i32, out: usize, lines: usize, starts: usize, maxRows: i32,
  exceptions: usize, maxExceptions: i32, bytes: usize): void {
  const end = input + <usize>len;
  const d = <u32>delimiter;
  let p = input;
  let line = load<i32>(state + (S_LINE << 2));
  let rows = 0;
  let count = 0;
  let status = DONE;
  let errorLine = 0, errorCells = 0;
  let consumed = p;
  let allBytes = 1;

  let stop = false; // AssemblyScript has no labelled break: the inner loop sets this to leave both
  while (p < end) {
    // blank lines are skipped, as csv-parse's skip_empty_lines does
    const first = <u32>load<u8>(p);
    if (first == LF) { p++; line++; consumed = p; continue; }
    if (first == CR) {
      if (p + 1 < end) {
        if (<u32>load<u8>(p + 1) == LF) { p += 2; line++; consumed = p; continue; }
        status = DECLINE; break;
      }
      if (final == 0) break; // the LF may be in the next input
      status = DECLINE; break;
    }
    if (rows == maxRows || count + cells + 1 > maxExceptions) { status = FULL; break; }

    const rowStart = p;
    const rowExceptions = count;
    const rowAllBytes = allBytes; // (a row cut by the input's end is read again: what it said is undone)
    const rowOut = out + <usize>rows * (<usize>width << 2);
    const rowBytes = bytes + <usize>rows * <usize>width;
    let cell = 0;
    for (;;) {
      const start = p;
      const role = cell < cells ? <u32>load<u8>(roles + <usize>cell) : 2;
      let parsed = false;
      if (role == 0) {
        // the common case first: [-]digits[.digits], at most 18 digits, right before the delimiter or
        // the line's end; M ≤ 2^53 and one exact division make Number()'s double (input[len] is a
        // sentinel byte the host writes, so reading one past a cell never leaves the input)
        let q = p;
        let b = <u32>load<u8>(q);
        const minus = b == 45;
        if (minus) b = <u32>load<u8>(++q);
        let mantissa: u64 = 0;
        const digitsFrom = q;
        while (b - 48 <= 9) { mantissa = mantissa * 10 + <u64>(b - 48); b = <u32>load<u8>(++q); }
        let fractionDigits = 0;
        const point = b == 46;
        if (point) {
          b = <u32>load<u8>(++q);
          const fractionFrom = q;
          while (b - 48 <= 9) { mantissa = mantissa * 10 + <u64>(b - 48); b = <u32>load<u8>(++q); }
          fractionDigits = <i32>(q - fractionFrom);
        }
        const digits = <i32>(q - digitsFrom) - (point ? 1 : 0);
        if (q < end && digits > 0 && digits <= 18 && mantissa <= EXACT_LIMIT && (b == d || b == LF || b == CR)) {
          const magnitude = fractionDigits == 0 ? <f64>mantissa : <f64>mantissa / unchecked(POW10_F64[fractionDigits]);
          const column = <usize>load<i32>(dest + (<usize>cell << 2));
          const value = <f32>(minus ? -magnitude : magnitude);
          store<f32>(rowOut + (column << 2), value);
          if (allBytes) allBytes = putByte(rowBytes + column, value);
          if (b == d) {
            // the next cell at once: the line goes on
            p = q + 1;
            cell++;
            continue;
          }
          parsed = true;
          p = q;
        }
      }
      if (role == 0 && !parsed) {
        // any other number Number() reads the same way: [spaces][+-]digits[.digits][(e|E)[+-]digits][spaces]
        let q = p;
        while (q < end && isSpace(<u32>load<u8>(q), d)) q++;
        let negative = false;
        if (q < end) {
          const s = <u32>load<u8>(q);
          if (s == 45) { negative = true; q++; } else if (s == 43) q++;
        }
        let m: u64 = 0;
        let significant = 0, zeros = 0, fraction = 0;
        let any = false, exact = true, point = false;
        while (q < end) {
          const b = <u32>load<u8>(q);
          const digit = b - 48;
          if (digit <= 9) {
            any = true;
            if (point) fraction++;
            if (digit == 0) {
              if (significant > 0) zeros++; // trailing zeros wait: they may end the number
            } else if (significant + zeros + 1 <= 19) {
              m = m * unchecked(POW10_U64[zeros + 1]) + <u64>digit;
              significant += zeros + 1;
              zeros = 0;
            } else {
              exact = false;
            }
            q++;
          } else if (b == 46 && !point) {
            point = true;
            q++;
          } else {
            break;
          }
        }
        let exponent = 0;
        if (any && q < end && (<u32>load<u8>(q) | 32) == 101) {
          let e = q + 1;
          let negativeExponent = false;
          if (e < end) {
            const s = <u32>load<u8>(e);
            if (s == 45) { negativeExponent = true; e++; } else if (s == 43) e++;
          }
          const digitsFrom = e;
          while (e < end && <u32>load<u8>(e) - 48 <= 9) {
            if (exponent < 100000) exponent = exponent * 10 + <i32>(<u32>load<u8>(e) - 48);
            e++;
          }
          if (e == digitsFrom) any = false; // "1e" is not a number
          if (negativeExponent) exponent = -exponent;
          q = e;
        }
        while (q < end && isSpace(<u32>load<u8>(q), d)) q++;
        const after = q < end ? <u32>load<u8>(q) : LF;
        if (any && (after == d || after == LF || after == CR)) {
          const e10 = exponent - fraction + zeros;
          let value: f64 = 0;
          if (m == 0) {
            value = 0;
          } else if (exact && m <= EXACT_LIMIT && e10 >= -22 && e10 <= 22) {
            value = e10 >= 0 ? <f64>m * unchecked(POW10_F64[e10]) : <f64>m / unchecked(POW10_F64[-e10]);
          } else {
            exact = false;
          }
          if (exact) {
            const column = <usize>load<i32>(dest + (<usize>cell << 2));
            const single = <f32>(negative ? -value : value);
            store<f32>(rowOut + (column << 2), single);
            if (allBytes) allBytes = putByte(rowBytes + column, single);
            parsed = true;
          }
          p = q;
        }
      }
      if (!parsed) {
        // to the end of the cell; a quote means csv-parse must read the file
        while (p < end) {
          const b = <u32>load<u8>(p);
          if (b == d || b == LF || b == CR) break;
          if (b == QUOTE) { status = DECLINE; stop = true; break; }
          p++;
        }
        if (stop) break;
        if (role == 0) {
          store<f32>(rowOut + (<usize>load<i32>(dest + (<usize>cell << 2)) << 2), NaN);
          allBytes = 0;
        }
        if (role != 2) {
          const x = exceptions + <usize>count * EXCEPTION_BYTES;
          store<i32>(x, rows);
          store<i32>(x, cell, 4);
          store<i32>(x, p == start ? KIND_EMPTY : KIND_TEXT, 8);
          store<i32>(x, <i32>(start - input), 12);
          store<i32>(x, <i32>(p - input), 16);
          count++;
        }
      }
      cell++;
      if (p == end) {
        if (final == 0) { count = rowExceptions; allBytes = rowAllBytes; p = rowStart; stop = true; break; } // the row goes on in the next input
        break;
      }
      const b = <u32>load<u8>(p);
      if (b == d) { p++; continue; }
      if (b == LF) { p++; break; }
      // b == CR: it must end the line
      if (p + 1 < end) {
        if (<u32>load<u8>(p + 1) == LF) { p += 2; break; }
        status = DECLINE; stop = true; break;
      }
      if (final == 0) { count = rowExceptions; allBytes = rowAllBytes; p = rowStart; stop = true; break; }
      status = DECLINE; stop = true; break;
    }
    if (stop) break;
    if (cell != cells) {
      status = RAGGED;
      errorLine = line;
      errorCells = cell;
      count = rowExceptions;
      p = rowStart;
      break;
    }
    store<i32>(lines + (<usize>rows << 2), line);
    store<i32>(starts + (<usize>rows << 2), <i32>(rowStart - input));
    rows++;
    line++;
    consumed = p;
  }
  store<i32>(state + (S_LINE << 2), line);
  store<i32>(state + (S_ROWS << 2), rows);
  store<i32>(state + (S_EXCEPTIONS << 2), count);
  store<i32>(state + (S_STATUS << 2), status);
  store<i32>(state + (S_ERROR_LINE << 2), errorLine);
  store<i32>(state + (S_ERROR_CELLS << 2), errorCells);
  store<i32>(state + (S_CONSUMED << 2), <i32>(consumed - input));
  store<i32>(state + (S_BYTES << 2), allBytes);
}

// First byte the host may use.
export function heapBase(): usize {
  return __heap_base;
}
