/**
 * 12,345 for a whole number. The first toLocaleString of a page sets up Intl, some 40 ms that the
 * Runs view and the heatmap's axis would otherwise spend before their first draw.
 */
export const thousands = (v: number): string => (Number.isInteger(v) ? String(v).replace(/\B(?=(\d{3})+(?!\d))/g, ',') : String(v));
