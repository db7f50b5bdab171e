/**
 * The kernels of the FFT-interpolated t-SNE repulsion: the radix-2 FFT against a direct DFT, and the
 * interpolated and the Barnes–Hut repulsion and normalisation Z against the exact O(n²) sums.
 */
import { describe, expect, it } from 'vitest';
import { Fft } from '../../../src-main/engine/analysis/fft.js';
import { FftRepulsion, fftGridSize } from '../../../src-main/engine/analysis/tsne-fft.js';
import { QuadTree } from '../../../src-main/engine/analysis/tsne-bh.js';
import { Rng } from '../../../src-main/engine/task/rng.js';

/** The direct DFT of one complex sequence. */
function dft(re: number[], im: number[], inverse: boolean): [number[], number[]] {
  const n = re.length;
  const sign = inverse ? 1 : -1;
  const outRe: number[] = [];
  const outIm: number[] = [];
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let j = 0; j < n; j++) {
      const a = (sign * 2 * Math.PI * j * k) / n;
      sr += re[j] * Math.cos(a) - im[j] * Math.sin(a);
      si += re[j] * Math.sin(a) + im[j] * Math.cos(a);
    }
    outRe.push(sr);
    outIm.push(si);
  }
  return [outRe, outIm];
}

describe('Fft', () => {
  it('transforms rows and columns as the direct DFT does, forward and inverse', () => {
    const rng = new Rng(3);
    for (const size of [1, 2, 8, 32]) {
      const fft = new Fft(size);
      for (const inverse of [false, true]) {
        const re = Float64Array.from({ length: size * size }, () => rng.normal());
        const im = Float64Array.from({ length: size * size }, () => rng.normal());
        const rowRe = Float64Array.from(re);
        const rowIm = Float64Array.from(im);
        fft.rows(rowRe, rowIm, 0, size, inverse);
        for (let r = 0; r < size; r++) {
          const [er, ei] = dft(Array.from(re.subarray(r * size, (r + 1) * size)), Array.from(im.subarray(r * size, (r + 1) * size)), inverse);
          for (let c = 0; c < size; c++) {
            expect(rowRe[r * size + c]).toBeCloseTo(er[c], 9);
            expect(rowIm[r * size + c]).toBeCloseTo(ei[c], 9);
          }
        }
        const colRe = Float64Array.from(re);
        const colIm = Float64Array.from(im);
        fft.columns(colRe, colIm, inverse);
        for (let c = 0; c < size; c++) {
          const column = (a: Float64Array) => Array.from({ length: size }, (_, r) => a[r * size + c]);
          const [er, ei] = dft(column(re), column(im), inverse);
          for (let r = 0; r < size; r++) {
            expect(colRe[r * size + c]).toBeCloseTo(er[r], 9);
            expect(colIm[r * size + c]).toBeCloseTo(ei[r], 9);
          }
        }
      }
    }
  });

  it('refuses a size that is not a power of two', () => {
    expect(() => new Fft(12)).toThrow(/power of two, got 12/);
  });
});

/** The exact repulsion: Z and −Σ_j num² (y_i − y_j). */
function exactRepulsion(y: Float64Array, n: number): [number, Float64Array] {
  let z = 0;
  const grad = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const dx = y[2 * i] - y[2 * j];
      const dy = y[2 * i + 1] - y[2 * j + 1];
      const q = 1 / (1 + dx * dx + dy * dy);
      z += q;
      grad[2 * i] -= q * q * dx;
      grad[2 * i + 1] -= q * q * dy;
    }
  }
  return [z, grad];
}

describe('FftRepulsion', () => {
  it('matches the exact repulsive forces and Z of t-SNE, as Barnes–Hut does', () => {
    const rng = new Rng(5);
    for (const spread of [3, 12]) {
      const n = 400;
      // two clusters and a ring, like an embedding part way through early exaggeration
      const y = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) {
        const t = (2 * Math.PI * i) / n;
        y[2 * i] = (i % 3 === 0 ? spread * Math.cos(t) : i % 3 === 1 ? -spread / 2 : spread / 2) + 0.5 * rng.normal();
        y[2 * i + 1] = (i % 3 === 0 ? spread * Math.sin(t) : spread / 3) + 0.5 * rng.normal();
      }
      // coincident points (two runs from the same initial weights start at the same snapshot)
      y[2] = y[0];
      y[3] = y[1];
      const [exactZ, exact] = exactRepulsion(y, n);
      let span = 0;
      for (const c of [0, 1]) {
        const v = Array.from({ length: n }, (_, i) => y[2 * i + c]);
        span = Math.max(span, Math.max(...v) - Math.min(...v));
      }
      // relative errors of Z and of the forces (RMS over all points)
      const errors = (grad: Float64Array, z: number): [number, number] => {
        let err = 0;
        let norm = 0;
        for (let c = 0; c < 2 * n; c++) {
          err += (grad[c] - exact[c]) ** 2;
          norm += exact[c] ** 2;
        }
        return [Math.abs(z - exactZ) / exactZ, Math.sqrt(err / norm)];
      };
      const fftGrad = new Float64Array(2 * n);
      const [fftZ, fftForce] = errors(fftGrad, new FftRepulsion(n).repulsion(y, n, fftGrad, fftGridSize(span)));
      const bhGrad = new Float64Array(2 * n);
      const [bhZ, bhForce] = errors(bhGrad, new QuadTree(n).repulsion(y, n, bhGrad));
      // FIt-SNE's accuracy with 3 nodes per box ≤ 1 wide: ~1 % RMS in the forces; Barnes–Hut (θ = 0.5, grouped) ~0.5 %
      expect(fftZ).toBeLessThan(2e-3);
      expect(fftForce).toBeLessThan(2e-2);
      expect(bhZ).toBeLessThan(2e-3);
      expect(bhForce).toBeLessThan(1e-2);
      // both coincident points are pushed, alike
      expect(Math.hypot(bhGrad[0], bhGrad[1])).toBeGreaterThan(0);
      expect(bhGrad[2]).toBeCloseTo(bhGrad[0], 12);
      expect(bhGrad[3]).toBeCloseTo(bhGrad[1], 12);
    }
  });

  it('sizes the grid for boxes at most 1 wide with 3 nodes each, zero-padded', () => {
    expect(fftGridSize(0.1)).toBe(8);
    expect(fftGridSize(16)).toBe(128);
    expect(fftGridSize(21)).toBe(128);
    expect(fftGridSize(22)).toBe(256);
  });
});

describe('QuadTree', () => {
  it('handles points closer than its finest cell and all points at one place, call after call', () => {
    const rng = new Rng(11);
    const n = 300;
    // pairs 1e-7 apart spread over a square 200 wide: each pair needs every level of the tree,
    // more nodes than the tree first allocates
    const y = new Float64Array(2 * n);
    for (let i = 0; i < n; i += 2) {
      y[2 * i] = 200 * rng.uniform();
      y[2 * i + 1] = 200 * rng.uniform();
      y[2 * i + 2] = y[2 * i] + 1e-7;
      y[2 * i + 3] = y[2 * i + 1];
    }
    const tree = new QuadTree(n);
    for (let call = 0; call < 2; call++) {
      const [exactZ, exact] = exactRepulsion(y, n);
      const grad = new Float64Array(2 * n);
      const z = tree.repulsion(y, n, grad);
      let err = 0;
      let norm = 0;
      for (let c = 0; c < 2 * n; c++) {
        err += (grad[c] - exact[c]) ** 2;
        norm += exact[c] ** 2;
      }
      expect(Math.abs(z - exactZ) / exactZ).toBeLessThan(2e-3);
      expect(Math.sqrt(err / norm)).toBeLessThan(1e-2);
      for (let c = 0; c < 2 * n; c++) y[c] *= 0.5; // a smaller embedding on the second call
    }
    // all at one place: no force, Z = n(n − 1)
    const same = new Float64Array(2 * n).fill(3);
    const grad = new Float64Array(2 * n);
    expect(tree.repulsion(same, n, grad)).toBe(n * (n - 1));
    expect(grad.every((g) => g === 0)).toBe(true);
  });
});
