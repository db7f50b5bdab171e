/**
 * NumPy .npy files (format versions 1.0–3.0), the exchange format for datasets and trajectories.
 * Reading is defensive: every file is untrusted, so a bad magic, header, dtype or size is a
 * clear NpyError, never a crash or a silently wrong array.
 */
import { closeSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { fileSystemReason, writeFileAtomic } from './atomic.js';

export type NpyDtype = 'int32' | 'float32' | 'int64' | 'float64' | 'uint8' | 'int8' | 'int16' | 'uint16' | 'uint32';
export type NpyData = Int32Array | Float32Array | Float64Array | Uint8Array | Int8Array | Int16Array | Uint16Array | Uint32Array;

export interface NpyArray<T extends NpyData = NpyData> {
  dtype: NpyDtype;
  shape: number[];
  data: T;
}

export class NpyError extends Error {
  override name = 'NpyError';
}

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

const DESCR: Record<string, { dtype: NpyDtype; bytes: number }> = {
  '<i4': { dtype: 'int32', bytes: 4 },
  '<f4': { dtype: 'float32', bytes: 4 },
  '<i8': { dtype: 'int64', bytes: 8 },
  '<f8': { dtype: 'float64', bytes: 8 },
  '|u1': { dtype: 'uint8', bytes: 1 },
  '|i1': { dtype: 'int8', bytes: 1 },
  '<i2': { dtype: 'int16', bytes: 2 },
  '<u2': { dtype: 'uint16', bytes: 2 },
  '<u4': { dtype: 'uint32', bytes: 4 },
};

const DESCR_OF: Record<string, string> = { int32: '<i4', float32: '<f4', float64: '<f8', uint8: '|u1', int8: '|i1', int16: '<i2', uint16: '<u2', uint32: '<u4' };

interface Header {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  dataOffset: number;
}

function parseHeader(buf: Buffer, what: string): Header {
  if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC)) {
    throw new NpyError(`${what} is not a NumPy .npy file (bad magic bytes); save it with numpy.save.`);
  }
  const major = buf[6];
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = buf.readUInt16LE(8);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (buf.length < 12) throw new NpyError(`${what} is truncated inside its .npy header.`);
    headerLen = buf.readUInt32LE(8);
    start = 12;
  } else {
    throw new NpyError(`${what} uses .npy format version ${major}, which this tool does not read (1, 2 or 3).`);
  }
  if (start + headerLen > buf.length) throw new NpyError(`${what} is truncated inside its .npy header.`);
  const text = buf.subarray(start, start + headerLen).toString(major === 3 ? 'utf8' : 'latin1');
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    // never echo the header: the file may not be what it claims to be
    throw new NpyError(`${what} has a malformed .npy header (it lacks 'descr', 'fortran_order' or 'shape'); save it with numpy.save.`);
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      if (!/^\d+$/.test(s)) throw new NpyError(`${what} has a malformed shape in its .npy header (not a tuple of whole numbers); save it with numpy.save.`);
      return Number(s);
    });
  return { descr, fortranOrder: fortran === 'True', shape, dataOffset: start + headerLen };
}

/** Parses a .npy file held in memory. `what` names the file in error messages. */
export function parseNpy(buf: Buffer, what = 'the file'): NpyArray {
  const header = parseHeader(buf, what);
  const info = Object.hasOwn(DESCR, header.descr) ? DESCR[header.descr] : undefined;
  if (!info) {
    const shown = /^[<>|=]?[a-zA-Z]\d{0,2}$/.test(header.descr) ? `dtype '${header.descr}'` : 'a dtype';
    throw new NpyError(`${what} holds ${shown}, which this tool does not read; save it as int32, int64, float32 or float64.`);
  }
  if (header.fortranOrder && header.shape.length > 1) {
    throw new NpyError(`${what} is in Fortran order; save it with numpy.ascontiguousarray first.`);
  }
  const count = header.shape.reduce((a, b) => a * b, 1);
  const available = buf.length - header.dataOffset;
  if (available < count * info.bytes) {
    throw new NpyError(`${what} is truncated: its header promises ${count} values of ${info.bytes} bytes (${count * info.bytes} bytes) but only ${available} bytes follow.`);
  }
  // A buffer of its own whose data start is aligned (readFileSync's, for a .npy file) is viewed, not
  // copied: a trajectory is hundreds of MB. Otherwise (a shared or unaligned buffer) copy it.
  const start = buf.byteOffset + header.dataOffset;
  const owned = buf.byteOffset === 0 && buf.buffer.byteLength === buf.length && start % info.bytes === 0;
  const bytes = owned ? new Uint8Array(buf.buffer, start, count * info.bytes) : new Uint8Array(buf.buffer, start, count * info.bytes).slice();
  let data: NpyData;
  switch (info.dtype) {
    case 'int32': data = new Int32Array(bytes.buffer, bytes.byteOffset, count); break;
    case 'float32': data = new Float32Array(bytes.buffer, bytes.byteOffset, count); break;
    case 'float64': data = new Float64Array(bytes.buffer, bytes.byteOffset, count); break;
    case 'uint8': data = bytes; break;
    case 'int8': data = new Int8Array(bytes.buffer, bytes.byteOffset, count); break;
    case 'int16': data = new Int16Array(bytes.buffer, bytes.byteOffset, count); break;
    case 'uint16': data = new Uint16Array(bytes.buffer, bytes.byteOffset, count); break;
    case 'uint32': data = new Uint32Array(bytes.buffer, bytes.byteOffset, count); break;
    case 'int64': {
      const big = new BigInt64Array(bytes.buffer, bytes.byteOffset, count);
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const v = big[i];
        if (v > 2147483647n || v < -2147483648n) throw new NpyError(`${what} holds an int64 value (${v}) outside the int32 range.`);
        out[i] = Number(v);
      }
      return { dtype: 'int32', shape: header.shape, data: out };
    }
  }
  return { dtype: info.dtype, shape: header.shape, data };
}

export function readNpy(path: string): NpyArray {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (err) {
    throw new NpyError(`cannot read ${path}: ${fileSystemReason(err)?.split(';')[0] ?? (err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return parseNpy(buf, path);
}

function dtypeOf(data: NpyData): NpyDtype {
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Uint16Array) return 'uint16';
  return 'uint32';
}

function shapeText(shape: number[], width = 0): string {
  const dims = shape.map((s, i) => (i === 0 && width > 0 ? String(s).padStart(width, ' ') : String(s)));
  return dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
}

/** A version-1.0 header padded so that the data starts at `total` bytes (a multiple of 64). */
function headerBytes(descr: string, shape: number[], total: number, firstDimWidth = 0): Buffer {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText(shape, firstDimWidth)}, }`;
  const needed = 10 + dict.length + 1;
  const size = total > 0 ? total : Math.ceil(needed / 64) * 64;
  if (needed > size) throw new NpyError(`npy header of ${needed} bytes does not fit in ${size}`);
  const buf = Buffer.alloc(size, 0x20);
  MAGIC.copy(buf, 0);
  buf[6] = 1;
  buf[7] = 0;
  buf.writeUInt16LE(size - 10, 8);
  buf.write(dict, 10, 'latin1');
  buf[size - 1] = 0x0a;
  return buf;
}

export function encodeNpy(data: NpyData, shape: number[]): Buffer {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new NpyError(`shape (${shape.join(', ')}) holds ${count} values, data has ${data.length}`);
  const header = headerBytes(DESCR_OF[dtypeOf(data)], shape, 0);
  return Buffer.concat([header, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

/** Writes a .npy file atomically (temporary file + rename). */
export function writeNpy(path: string, data: NpyData, shape: number[]): void {
  writeFileAtomic(path, encodeNpy(data, shape));
}

const APPEND_HEADER_BYTES = 128;
const ROW_COUNT_WIDTH = 12;

/**
 * A float32 .npy of shape [rows, width] that grows one row at a time. The header has a fixed
 * size with the row count padded, so each append writes the row and then rewrites the count in
 * place: a crash between the two leaves a file whose header under-counts, which numpy and this
 * reader both load (trailing bytes past the header's count are ignored).
 */
export class NpyRowAppender {
  private fd: number;
  private rows: number;
  private readonly rowShape: number[];
  private readonly width: number;
  private readonly path: string;

  private constructor(path: string, fd: number, rowShape: number[], rows: number) {
    this.path = path;
    this.fd = fd;
    this.rowShape = rowShape;
    this.width = rowShape.reduce((a, b) => a * b, 1);
    this.rows = rows;
  }

  /** A new file of shape [0, ...rowShape]. */
  static create(path: string, rowShape: number[]): NpyRowAppender {
    const fd = openSync(path, 'w');
    const appender = new NpyRowAppender(path, fd, rowShape, 0);
    appender.writeHeader();
    return appender;
  }

  /** Reopens a file made by create(), keeping its first `keepRows` rows (for resuming). */
  static reopen(path: string, rowShape: number[], keepRows: number): NpyRowAppender {
    const existing = readNpy(path);
    const shape = [existing.shape[0], ...rowShape];
    if (existing.dtype !== 'float32' || existing.shape.join(',') !== shape.join(',')) {
      throw new NpyError(`${path} is not a float32 array of shape [rows, ${rowShape.join(', ')}]`);
    }
    if (existing.shape[0] < keepRows) throw new NpyError(`${path} has ${existing.shape[0]} rows, fewer than the ${keepRows} to keep`);
    const fd = openSync(path, 'r+');
    const appender = new NpyRowAppender(path, fd, rowShape, keepRows);
    appender.writeHeader();
    return appender;
  }

  get rowCount(): number {
    return this.rows;
  }

  append(row: Float32Array): void {
    if (row.length !== this.width) throw new NpyError(`row of ${row.length} values appended to ${this.path} of width ${this.width}`);
    const offset = APPEND_HEADER_BYTES + this.rows * this.width * 4;
    const bytes = new Uint8Array(row.buffer, row.byteOffset, row.byteLength);
    try {
      // A full disk may write part of the row and then fail: loop, and on failure cut the file
      // back so that its size and its header agree on the rows that are whole.
      let written = 0;
      while (written < bytes.byteLength) written += writeSync(this.fd, bytes, written, bytes.byteLength - written, offset + written);
    } catch (err) {
      try {
        ftruncateSync(this.fd, offset);
      } catch {
        // the header still under-counts, which readers accept
      }
      throw err;
    }
    this.rows += 1;
    this.writeHeader();
  }

  /** Drops rows past `rows` (a snapshot whose other half could not be written). */
  truncate(rows: number): void {
    if (rows >= this.rows) return;
    this.rows = rows;
    this.writeHeader();
    ftruncateSync(this.fd, APPEND_HEADER_BYTES + rows * this.width * 4);
  }

  private writeHeader(): void {
    writeSync(this.fd, headerBytes('<f4', [this.rows, ...this.rowShape], APPEND_HEADER_BYTES, ROW_COUNT_WIDTH), 0, APPEND_HEADER_BYTES, 0);
  }

  close(): void {
    if (this.fd >= 0) {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = -1;
    }
  }
}
