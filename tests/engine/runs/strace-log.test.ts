import { describe, expect, it } from 'vitest';
import { parseStraceLog } from './strace-kill.js';

describe('the strace log parser of the fault-injection test', () => {
  // strace pads the pid column to five characters: a pid below 10,000 is followed by two spaces.
  it('reads lines whatever the width of the pid', () => {
    for (const pid of [812, 6630, 123456]) {
      const pad = ' '.repeat(Math.max(1, 6 - String(pid).length));
      const log = [
        `${pid}${pad}--- stopped by SIGSTOP ---`,
        `${pid}${pad}pwrite64(18</r/trajectory.npy>, ""..., 1728, 1856) = 1728`,
        `${pid}${pad}rename("/r/run.json.tmp-${pid}", "/r/run.json") = 0`,
        `${pid + 1}${pad}write(3</r/metrics.csv>, ""..., 8) = 8`,
        `${pid}${pad}pwrite64(18</r/trajectory.npy>, ""..., 128, 0) = 128`,
      ].join('\n');
      const calls = parseStraceLog(log, pid);
      expect(calls.map((c) => [c.syscall, c.ordinal, c.paths, c.offset])).toEqual([
        ['pwrite64', 1, ['/r/trajectory.npy'], 1856],
        ['rename', 1, [`/r/run.json.tmp-${pid}`, '/r/run.json'], null],
        ['pwrite64', 2, ['/r/trajectory.npy'], 0],
      ]);
    }
  });
});
