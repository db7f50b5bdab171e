/** Thins a long run's metrics.csv for the bundled demo (see build-demo.ts). */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Keeps the first 100 rows, the last step of every 64-step epoch, phase ends and held-out rows. */
export function thinMetrics(runDir: string, phaseEnds: number[]): void {
  const file = join(runDir, 'metrics.csv');
  const [header, ...rows] = readFileSync(file, 'utf8').trimEnd().split('\n');
  const kept = rows.filter((line) => {
    const cells = line.split(',');
    const step = Number(cells[0]);
    return step < 100 || (step + 1) % 64 === 0 || phaseEnds.includes(step + 1) || cells[7] !== '';
  });
  writeFileSync(file, [header, ...kept].join('\n') + '\n');
}
