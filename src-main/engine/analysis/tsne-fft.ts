/**
 * t-SNE's repulsion by FFT-accelerated interpolation (Linderman et al. 2019, "FIt-SNE"; openTSNE's
 * negative_gradient_method='fft'), in 2-D: the embedding's bounding square is cut into boxes no
 * wider than 1 with 3 equispaced nodes per box and axis; each point spreads 4 charges (1, y_x,
 * y_y, |y|²) to the 9 nodes of its box by Lagrange interpolation, the nodes interact through the
 * kernel 1/(1 + d²)² as one convolution done by FFT (the grid zero-padded to a power of two), and
 * the potentials are interpolated back to the points. The cost is that of the grid, (range·6)²,
 * whatever n is: cheaper than Barnes–Hut while the embedding is small (early exaggeration).
 */
import { Fft, transposeSquare } from './fft.js';
import { boundingSquare } from './tsne-bh.js';

/** Interpolation nodes per box and axis (FIt-SNE's and openTSNE's default). */
const NODES = 3;
/** The widest box, in embedding units (openTSNE's ints_in_interval). */
const MAX_BOX_WIDTH = 1;
/** Box widths come from the ladder 0.9^j, so that the kernel's spectrum is computed once per width. */
const WIDTH_RATIO = 0.9;

/** The side of the FFT grid for an embedding whose bounding square has side `span`: 2·3 nodes per box, boxes ≤ 1 wide. */
export function fftGridSize(span: number): number {
  const boxes = Math.max(1, Math.ceil(span / MAX_BOX_WIDTH));
  let size = 8;
  while (Math.floor(size / (2 * NODES)) < boxes) size *= 2;
  return size;
}

/** Lagrange weights of the nodes at 1/6, 1/2, 5/6 of a box, at f ∈ [0, 1] of its width. */
function lagrange(f: number, out: Float64Array, at: number): void {
  const a = f - 1 / 6;
  const b = f - 1 / 2;
  const c = f - 5 / 6;
  out[at] = 4.5 * b * c;
  out[at + 1] = -9 * a * c;
  out[at + 2] = 4.5 * a * b;
}

export class FftRepulsion {
  private readonly ffts = new Map<number, Fft>();
  private grids = { size: 0, reA: new Float64Array(0), imA: new Float64Array(0), reB: new Float64Array(0), imB: new Float64Array(0) };
  /** the kernel's spectrum, by grid size and rung of the width ladder */
  private readonly spectra = new Map<string, Float64Array>();
  private readonly wx: Float64Array;
  private readonly wy: Float64Array;
  private readonly node: Int32Array;

  constructor(n: number) {
    this.wx = new Float64Array(3 * n);
    this.wy = new Float64Array(3 * n);
    this.node = new Int32Array(n);
  }

  /**
   * Subtracts Σ_j (1 + |y_i − y_j|²)⁻² (y_i − y_j) from grad (as QuadTree.repulsion does) and
   * returns Z = Σ_{i≠j} (1 + |y_i − y_j|²)⁻¹, on an FFT grid of side `size` (fftGridSize).
   */
  repulsion(y: Float64Array, n: number, grad: Float64Array, size: number): number {
    const { cx, cy, span: side } = boundingSquare(y, n);
    const boxes = Math.floor(size / (2 * NODES));
    const nodes = boxes * NODES; // per axis; the grid is zero beyond
    const needed = (side * (1 + 1e-9) + 1e-9) / boxes;
    const rung = Math.min(40, Math.max(0, Math.floor(Math.log(needed / MAX_BOX_WIDTH) / Math.log(WIDTH_RATIO))));
    const box = MAX_BOX_WIDTH * WIDTH_RATIO ** rung;
    const span = box * boxes; // the grid's side, centred on the embedding's bounding square
    const g = this.buffers(size);
    const { reA, imA, reB, imB } = g;
    reA.fill(0);
    imA.fill(0);
    reB.fill(0);
    imB.fill(0);
    const { wx, wy, node } = this;
    // spread the charges 1, x, y, x² + y² (coordinates about the centre) to the nodes
    for (let i = 0; i < n; i++) {
      const px = y[2 * i] - cx;
      const py = y[2 * i + 1] - cy;
      const ux = (px + span / 2) / box;
      const uy = (py + span / 2) / box;
      const bx = Math.min(Math.floor(ux), boxes - 1);
      const by = Math.min(Math.floor(uy), boxes - 1);
      lagrange(ux - bx, wx, 3 * i);
      lagrange(uy - by, wy, 3 * i);
      const base = by * NODES * size + bx * NODES;
      node[i] = base;
      const r2 = px * px + py * py;
      for (let ty = 0; ty < 3; ty++) {
        for (let tx = 0; tx < 3; tx++) {
          const w = wx[3 * i + tx] * wy[3 * i + ty];
          const at = base + ty * size + tx;
          reA[at] += w;
          imA[at] += w * px;
          reB[at] += w * py;
          imB[at] += w * r2;
        }
      }
    }
    this.convolve(size, nodes, this.spectrum(size, rung, box / NODES));
    // interpolate the potentials back: Z and the forces from the four sums over j
    let z = 0;
    for (let i = 0; i < n; i++) {
      const px = y[2 * i] - cx;
      const py = y[2 * i + 1] - cy;
      const base = node[i];
      let phi0 = 0, phi1 = 0, phi2 = 0, phi3 = 0;
      for (let ty = 0; ty < 3; ty++) {
        for (let tx = 0; tx < 3; tx++) {
          const w = wx[3 * i + tx] * wy[3 * i + ty];
          const at = base + ty * size + tx;
          phi0 += w * reA[at];
          phi1 += w * imA[at];
          phi2 += w * reB[at];
          phi3 += w * imB[at];
        }
      }
      // Σ_j K (1 + |y_i − y_j|²) = Σ_j (1 + |y_i − y_j|²)⁻¹, expanded in the four sums
      z += (1 + px * px + py * py) * phi0 - 2 * (px * phi1 + py * phi2) + phi3;
      grad[2 * i] -= px * phi0 - phi1;
      grad[2 * i + 1] -= py * phi0 - phi2;
    }
    return z - n; // without the terms j = i
  }

  private buffers(size: number): FftRepulsion['grids'] {
    if (this.grids.size !== size) {
      const cells = size * size;
      const grid = () => new Float64Array(cells);
      this.grids = { size, reA: grid(), imA: grid(), reB: grid(), imB: grid() };
    }
    return this.grids;
  }

  private fft(size: number): Fft {
    let fft = this.ffts.get(size);
    if (!fft) this.ffts.set(size, (fft = new Fft(size)));
    return fft;
  }

  /**
   * The spectrum of (1 + d²)⁻² on the circulant grid, d the distance between nodes `spacing` apart:
   * even in both axes and symmetric in u and v, so real and equal to its transpose.
   */
  private spectrum(size: number, rung: number, spacing: number): Float64Array {
    const key = `${size}:${rung}`;
    let kernel = this.spectra.get(key);
    if (kernel) return kernel;
    kernel = new Float64Array(size * size);
    for (let v = 0; v < size; v++) {
      const dv = Math.min(v, size - v) * spacing;
      for (let u = 0; u < size; u++) {
        const du = Math.min(u, size - u) * spacing;
        const q = 1 / (1 + du * du + dv * dv);
        kernel[v * size + u] = q * q;
      }
    }
    const im = new Float64Array(size * size);
    const fft = this.fft(size);
    fft.columns(kernel, im);
    transposeSquare(kernel, size);
    transposeSquare(im, size);
    fft.columns(kernel, im);
    this.spectra.set(key, kernel);
    return kernel;
  }

  /**
   * Each grid ← its convolution with the kernel, as 2-D transforms done by column transforms, a
   * transpose and column transforms; the kernel's spectrum equals its transpose, so the grids'
   * spectra may stay transposed.
   */
  private convolve(size: number, nodes: number, kernel: Float64Array): void {
    const fft = this.fft(size);
    const { reA, imA, reB, imB } = this.grids;
    const scale = 1 / (size * size);
    for (const [re, im] of [[reA, imA], [reB, imB]]) {
      fft.columns(re, im, false, nodes); // the columns beyond `nodes` are zero
      transposeSquare(re, size);
      transposeSquare(im, size);
      fft.columns(re, im);
      for (let c = 0; c < re.length; c++) {
        const k = kernel[c] * scale;
        re[c] *= k;
        im[c] *= k;
      }
      fft.columns(re, im, true);
      transposeSquare(re, size);
      transposeSquare(im, size);
      fft.columns(re, im, true, nodes); // only the nodes' columns are read back
    }
  }
}
