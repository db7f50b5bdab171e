/**
 * The live curves of a training job: loss (train, test) above, accuracy (train, test) below,
 * with the schedule's phase switches. Pure: progress points + switch steps in, option out.
 */
import type { EChartsOption, LineSeriesOption } from 'echarts';
import type { TrainProgressPoint } from '../../../src-main/api/contract.js'; // types only; '.js' paths keep this file valid for the Node tsconfig too (tests import it)

const COLORS = { train: '#2f6fde', test: '#e4572e' };
type Key = 'trainLoss' | 'testLoss' | 'trainAcc' | 'testAcc';

/** Switch steps from phase lengths: the cumulative sums of all but the last. */
export function switchSteps(phaseSteps: number[]): number[] {
  const out: number[] = [];
  let s = 0;
  for (const n of phaseSteps.slice(0, -1)) {
    s += n;
    out.push(s);
  }
  return out;
}

export function liveTrainOption(points: TrainProgressPoint[], opts: { switches?: number[]; totalSteps?: number | null } = {}): EChartsOption {
  const line = (name: string, key: Key, color: string, dashed: boolean, grid: 0 | 1): LineSeriesOption => ({
    type: 'line',
    name,
    xAxisIndex: grid,
    yAxisIndex: grid,
    data: points.map((p) => [p.step, Number.isFinite(p[key]) ? p[key] : null]),
    showSymbol: points.length < 30,
    symbolSize: 4,
    sampling: 'lttb',
    lineStyle: { color, width: 1.6, type: dashed ? 'dashed' : 'solid' },
    itemStyle: { color },
  });
  const switches = opts.switches ?? [];
  const trainLoss = line('train loss', 'trainLoss', COLORS.train, false, 0);
  const trainAcc = line('train accuracy', 'trainAcc', COLORS.train, false, 1);
  if (switches.length) {
    const ml = {
      symbol: 'none' as const,
      silent: true,
      lineStyle: { color: '#6b7480', type: 'dashed' as const, width: 1 },
      label: { formatter: 'switch', position: 'insideEndTop' as const, fontSize: 10 },
      data: switches.map((s) => ({ xAxis: s })),
    };
    trainLoss.markLine = ml;
    trainAcc.markLine = ml;
  }
  const max = opts.totalSteps && opts.totalSteps > 0 ? opts.totalSteps : 'dataMax';
  return {
    animation: false,
    legend: { data: ['train loss', 'test loss', 'train accuracy', 'test accuracy'], top: 28, left: 'center' },
    tooltip: { trigger: 'axis', valueFormatter: (v) => (typeof v === 'number' ? v.toPrecision(4) : String(v ?? '')) },
    axisPointer: { link: [{ xAxisIndex: 'all' }] },
    grid: [
      { left: 70, right: 30, top: 70, height: '34%' },
      { left: 70, right: 30, bottom: 50, height: '30%' },
    ],
    xAxis: [
      { type: 'value', gridIndex: 0, min: 0, max, axisLabel: { show: false } },
      { type: 'value', gridIndex: 1, min: 0, max, name: 'step', nameLocation: 'middle', nameGap: 28 },
    ],
    yAxis: [
      { type: 'value', gridIndex: 0, name: 'loss', nameLocation: 'middle', nameGap: 45, scale: true },
      { type: 'value', gridIndex: 1, name: 'accuracy', nameLocation: 'middle', nameGap: 45, min: 0, max: 1 },
    ],
    series: [trainLoss, line('test loss', 'testLoss', COLORS.test, true, 0), trainAcc, line('test accuracy', 'testAcc', COLORS.test, true, 1)],
  };
}

export function liveTrainCsv(points: TrainProgressPoint[]): { header: string[]; rows: number[][] } {
  return { header: ['step', 'train_loss', 'train_acc', 'test_loss', 'test_acc'], rows: points.map((p) => [p.step, p.trainLoss, p.trainAcc, p.testLoss, p.testAcc]) };
}
