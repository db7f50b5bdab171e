/**
 * A small radix-2 complex FFT on Float64Arrays (separate real and imaginary parts), for the
 * FFT-interpolated t-SNE repulsion (tsne-fft.ts): transforms along the rows of a grid, and along
 * its columns with every butterfly applied to whole rows at once, so both passes run over
 * contiguous memory.
 */
export class Fft {
  readonly size: number;
  private readonly bits: number;
  private readonly reverse: Int32Array;
  /** cos(2πk/size) and sin(2πk/size), k < size/2 */
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1 || (size & (size - 1)) !== 0) throw new RangeError(`an FFT size must be a power of two, got ${size}`);
    this.size = size;
    this.bits = Math.round(Math.log2(size));
    this.reverse = new Int32Array(size);
    for (let i = 0; i < size; i++) {
      let r = 0;
      for (let b = 0; b < this.bits; b++) if (i & (1 << b)) r |= 1 << (this.bits - 1 - b);
      this.reverse[i] = r;
    }
    this.cos = new Float64Array(Math.max(1, size / 2));
    this.sin = new Float64Array(Math.max(1, size / 2));
    for (let k = 0; k < size / 2; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / size);
      this.sin[k] = Math.sin((2 * Math.PI * k) / size);
    }
  }

  /**
   * The DFT X_k = Σ_j x_j e^(∓2πi jk/size) of rows [first, first + count) of a grid with `size`
   * columns, in place; inverse = true gives the unnormalised inverse (e^(+…)).
   */
  rows(re: Float64Array, im: Float64Array, first: number, count: number, inverse = false): void {
    const { size, reverse, cos, sin } = this;
    const sign = inverse ? 1 : -1;
    for (let row = first; row < first + count; row++) {
      const o = row * size;
      for (let i = 0; i < size; i++) {
        const j = reverse[i];
        if (j > i) {
          const tr = re[o + i];
          re[o + i] = re[o + j];
          re[o + j] = tr;
          const ti = im[o + i];
          im[o + i] = im[o + j];
          im[o + j] = ti;
        }
      }
      for (let half = 1, step = size >> 1; half < size; half <<= 1, step >>= 1) {
        for (let start = 0; start < size; start += half << 1) {
          for (let k = 0; k < half; k++) {
            const wr = cos[k * step];
            const wi = sign * sin[k * step];
            const a = o + start + k;
            const b = a + half;
            const xr = re[b] * wr - im[b] * wi;
            const xi = re[b] * wi + im[b] * wr;
            re[b] = re[a] - xr;
            im[b] = im[a] - xi;
            re[a] += xr;
            im[a] += xi;
          }
        }
      }
    }
  }

  /**
   * The DFT along the columns [0, width) of a size × size grid, in place (every butterfly on whole
   * rows, which is several times faster in JavaScript than short transforms one row at a time).
   */
  columns(re: Float64Array, im: Float64Array, inverse = false, width = this.size): void {
    const { size, reverse, cos, sin } = this;
    const sign = inverse ? 1 : -1;
    for (let i = 0; i < size; i++) {
      const j = reverse[i];
      if (j > i) {
        for (let c = 0; c < width; c++) {
          const tr = re[i * size + c];
          re[i * size + c] = re[j * size + c];
          re[j * size + c] = tr;
          const ti = im[i * size + c];
          im[i * size + c] = im[j * size + c];
          im[j * size + c] = ti;
        }
      }
    }
    for (let half = 1, step = size >> 1; half < size; half <<= 1, step >>= 1) {
      for (let start = 0; start < size; start += half << 1) {
        for (let k = 0; k < half; k++) {
          const wr = cos[k * step];
          const wi = sign * sin[k * step];
          const a = (start + k) * size;
          const b = a + half * size;
          for (let c = 0; c < width; c++) {
            const xr = re[b + c] * wr - im[b + c] * wi;
            const xi = re[b + c] * wi + im[b + c] * wr;
            re[b + c] = re[a + c] - xr;
            im[b + c] = im[a + c] - xi;
            re[a + c] += xr;
            im[a + c] += xi;
          }
        }
      }
    }
  }
}

/** Transposes a size × size grid in place. */
export function transposeSquare(a: Float64Array, size: number): void {
  for (let r = 0; r < size; r++) {
    for (let c = r + 1; c < size; c++) {
      const t = a[r * size + c];
      a[r * size + c] = a[c * size + r];
      a[c * size + r] = t;
    }
  }
}
