/**
 * Figures draw with ECharts built from only the parts they use (src-renderer/src/figures/echarts.ts).
 * A figure that uses a series or component not registered there draws without it, and ECharts only
 * says so on the console: here that message fails the test that drew the figure.
 */
const MISSING = /\[ECharts\].*is used but not imported/;

for (const level of ['warn', 'error'] as const) {
  const original = console[level].bind(console);
  console[level] = (...args: unknown[]) => {
    if (args.some((a) => typeof a === 'string' && MISSING.test(a))) throw new Error(`a figure uses a part of ECharts that figures/echarts.ts does not register: ${args.join(' ')}`);
    original(...args);
  };
}
