import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { NpyError, NpyRowAppender, encodeNpy, parseNpy, readNpy, writeNpy } from '../../../src-main/engine/io/npy.js';
import { DEBIAN_PYTHON, tempDir } from '../../helpers.js';

const dir = tempDir();

function numpy(code: string): string {
  const r = spawnSync(DEBIAN_PYTHON, ['-c', `import numpy as np\n${code}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`numpy failed (apt-get install python3-numpy): ${r.stderr}`);
  return r.stdout.trim();
}

describe('.npy files', () => {
  it('round-trip int32 and float32 arrays', () => {
    const a = Int32Array.from([1, 2, 3, 4, 5, 6]);
    const back = parseNpy(encodeNpy(a, [2, 3]));
    expect(back).toEqual({ dtype: 'int32', shape: [2, 3], data: a });
    const f = Float32Array.from([0.5, -1e-9, 3e30]);
    expect(parseNpy(encodeNpy(f, [3])).data).toEqual(f);
  });

  it('are read by numpy as written, and numpy-written files are read back', () => {
    const file = join(dir, 'ours.npy');
    writeNpy(file, Int32Array.from([7, 8, 9, 10]), [2, 2]);
    expect(numpy(`a = np.load('${file}'); print(a.dtype, a.shape, a.sum(), a[1,0])`)).toBe('int32 (2, 2) 34 9');
    const theirs = join(dir, 'theirs.npy');
    numpy(`np.save('${theirs}', np.arange(12, dtype=np.int64).reshape(3, 4))`);
    const t = readNpy(theirs);
    expect(t.dtype).toBe('int32');
    expect(t.shape).toEqual([3, 4]);
    expect(Array.from(t.data)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    const f64 = join(dir, 'f64.npy');
    numpy(`np.save('${f64}', np.array([[0.25, -2.0]]))`);
    expect(Array.from(readNpy(f64).data)).toEqual([0.25, -2]);
  });

  it('reject corrupt, truncated and foreign files with a clear error', () => {
    expect(() => parseNpy(Buffer.from('hello world, not numpy'), 'x.npy')).toThrow(/x.npy is not a NumPy .npy file/);
    const good = encodeNpy(Int32Array.from([1, 2, 3, 4]), [4]);
    expect(() => parseNpy(good.subarray(0, good.length - 3), 'cut.npy')).toThrow(/cut.npy is truncated/);
    expect(() => parseNpy(good.subarray(0, 20), 'head.npy')).toThrow(NpyError);
    const fortran = join(dir, 'fortran.npy');
    numpy(`np.save('${fortran}', np.asfortranarray(np.ones((2, 3), dtype=np.float32)))`);
    expect(() => readNpy(fortran)).toThrow(/Fortran order/);
    const strings = join(dir, 'strings.npy');
    numpy(`np.save('${strings}', np.array(['a', 'b']))`);
    expect(() => readNpy(strings)).toThrow(/dtype '<U1'/);
    expect(() => readNpy(join(dir, 'missing.npy'))).toThrow(/cannot read .*missing.npy: there is no such file or folder$/);
  });

  it('grow row by row, and stay loadable when a crash cuts the last row', () => {
    const file = join(dir, 'rows.npy');
    const app = NpyRowAppender.create(file, [3]);
    app.append(Float32Array.from([1, 2, 3]));
    app.append(Float32Array.from([4, 5, 6]));
    expect(readNpy(file).shape).toEqual([2, 3]);
    expect(numpy(`a = np.load('${file}'); print(a.shape, a[1].tolist())`)).toBe('(2, 3) [4.0, 5.0, 6.0]');
    app.append(Float32Array.from([7, 8, 9]));
    app.close();
    // A crash between writing a row and updating the header: the header still says 2 rows.
    const bytes = readFileSync(file);
    const twoRows = encodeNpy(new Float32Array(6), [2, 3]); // any 2-row header has the same content length
    expect(twoRows.length).toBeGreaterThan(0);
    const patched = Buffer.from(bytes);
    patched.write("(           2, 3)", patched.indexOf("(           3, 3)"), 'latin1');
    writeFileSync(file, patched);
    expect(readNpy(file).shape).toEqual([2, 3]);
    expect(numpy(`print(np.load('${file}').shape)`)).toBe('(2, 3)');
    // Reopening keeps the first rows and overwrites the rest.
    const again = NpyRowAppender.reopen(file, [3], 1);
    again.append(Float32Array.from([0, 0, 1]));
    again.close();
    expect(Array.from(readNpy(file).data)).toEqual([1, 2, 3, 0, 0, 1]);
    // A truncated body is an error, not a short array.
    truncateSync(file, 128 + 4);
    expect(() => readNpy(file)).toThrow(/truncated/);
  });
});
