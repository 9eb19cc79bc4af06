// How numbers read in spc's tables, reports and messages: one spelling each, so the terminal, the
// HTML report and the scripts print the same figure the same way.

/** A fraction as a percentage with one decimal: 0.1234 → '12.3%'. */
export function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

/** A ratio against the dense model, three decimals: 0.61834 → '0.618×'. */
export function times(x: number): string {
  return `${x.toFixed(3)}×`;
}
