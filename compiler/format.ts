// How numbers read in spc's tables, reports and messages: one spelling each, so the terminal, the
// HTML report and the scripts print the same figure the same way.

/** A fraction as a percentage with one decimal: 0.1234 → '12.3%'. */
export function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}
