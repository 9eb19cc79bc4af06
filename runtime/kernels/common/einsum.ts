// The Einsum equation, parsed once for shape inference and the ref kernel: each operand's
// labels (repeated labels take a diagonal), '...' as broadcast dims, and the output labels,
// explicit after '->' or implicit (labels used once, alphabetical, after the ellipsis dims).

/** A term's dims as label codes: a letter's char code, or -1 where the ellipsis dims go. */
export type Term = readonly number[];

export interface Equation {
  readonly inputs: readonly Term[];
  readonly output: Term;
}

const ELLIPSIS = -1;

function parseTerm(text: string, fail: (m: string) => never): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '.') {
      if (text.slice(i, i + 3) !== '...') fail(`equation term '${text}' has a '.' outside '...'`);
      if (out.includes(ELLIPSIS)) fail(`equation term '${text}' has two ellipses`);
      out.push(ELLIPSIS);
      i += 2;
    } else if (/^[A-Za-z]$/.test(ch)) out.push(ch.charCodeAt(0));
    else fail(`equation term '${text}' has the character '${ch}' (letters and '...' only)`);
  }
  return out;
}

export function parseEquation(equation: string, operands: number, fail: (m: string) => never): Equation {
  const eq = equation.replace(/\s+/g, '');
  const arrow = eq.indexOf('->');
  const lhs = arrow >= 0 ? eq.slice(0, arrow) : eq;
  const inputs = lhs.split(',').map((t) => parseTerm(t, fail));
  if (inputs.length !== operands) fail(`equation '${equation}' has ${inputs.length} operand terms, the node has ${operands} inputs`);
  let output: number[];
  if (arrow >= 0) {
    output = parseTerm(eq.slice(arrow + 2), fail);
    if (new Set(output).size !== output.length) fail(`equation '${equation}': the output repeats a label`);
    const used = new Set(inputs.flat());
    for (const l of output) if (!used.has(l)) fail(`equation '${equation}': output label '${l === ELLIPSIS ? '...' : String.fromCharCode(l)}' is in no operand`);
  } else {
    const count = new Map<number, number>();
    for (const t of inputs) for (const l of t) if (l !== ELLIPSIS) count.set(l, (count.get(l) ?? 0) + 1);
    const once = [...count].filter(([, n]) => n === 1).map(([l]) => l).sort((a, b) => a - b);
    output = inputs.some((t) => t.includes(ELLIPSIS)) ? [ELLIPSIS, ...once] : once;
  }
  return { inputs, output };
}

export interface EinsumPlan {
  /** Output shape. */
  readonly shape: number[];
  /** Size of every loop axis: the output's dims first, then the summed ones. */
  readonly sizes: number[];
  /** Per operand, its element stride along each loop axis (0 where it does not vary). */
  readonly strides: number[][];
}

/**
 * The loop nest of an Einsum over operands of `shapes`: ellipsis dims broadcast numpy-style
 * (right-aligned, 1 stretches), a label's size must agree across operands.
 */
export function planEinsum(eq: Equation, shapes: readonly (readonly number[])[], fail: (m: string) => never): EinsumPlan {
  const labelSize = new Map<number, number>();
  let ellRank = 0;
  eq.inputs.forEach((t, k) => {
    const named = t.filter((l) => l !== ELLIPSIS).length;
    const rank = shapes[k]!.length;
    if (t.includes(ELLIPSIS) ? rank < named : rank !== named) fail(`operand ${k} has rank ${rank}, its term has ${named} labels${t.includes(ELLIPSIS) ? ' and an ellipsis' : ''}`);
    if (t.includes(ELLIPSIS)) ellRank = Math.max(ellRank, rank - named);
  });
  const ellSize = new Array<number>(ellRank).fill(1);
  // Per operand, each dim's loop label: a letter, or -(2 + j) for ellipsis dim j (right-aligned).
  const dimLabels = eq.inputs.map((t, k) => {
    const shape = shapes[k]!;
    const e = shape.length - t.filter((l) => l !== ELLIPSIS).length;
    const labels: number[] = [];
    for (const l of t) {
      if (l === ELLIPSIS) for (let j = 0; j < e; j++) labels.push(-(2 + ellRank - e + j));
      else labels.push(l);
    }
    labels.forEach((l, d) => {
      const size = shape[d]!;
      if (l < 0) {
        const j = -l - 2;
        if (size !== 1) {
          if (ellSize[j] !== 1 && ellSize[j] !== size) fail(`operand ${k}: ellipsis dimension ${size} does not broadcast with ${ellSize[j]}`);
          ellSize[j] = size;
        }
      } else {
        const seen = labelSize.get(l);
        if (seen !== undefined && seen !== size) fail(`label '${String.fromCharCode(l)}' has size ${seen} and ${size}`);
        labelSize.set(l, size);
      }
    });
    return labels;
  });
  const sizeOfLabel = (l: number): number => (l < 0 ? ellSize[-l - 2]! : labelSize.get(l)!);
  const outLabels: number[] = [];
  for (const l of eq.output) {
    if (l === ELLIPSIS) for (let j = 0; j < ellRank; j++) outLabels.push(-(2 + j));
    else outLabels.push(l);
  }
  const loop = [...outLabels];
  for (const l of [...labelSize.keys(), ...ellSize.map((_, j) => -(2 + j))]) if (!loop.includes(l)) loop.push(l);
  const sizes = loop.map(sizeOfLabel);
  const strides = dimLabels.map((labels, k) => {
    const shape = shapes[k]!;
    const own = new Array<number>(shape.length);
    for (let d = shape.length - 1, acc = 1; d >= 0; d--) { own[d] = acc; acc *= shape[d]!; }
    const s = new Array<number>(loop.length).fill(0);
    labels.forEach((l, d) => {
      if (shape[d] === 1 && l < 0) return; // a broadcast ellipsis dim
      s[loop.indexOf(l)] += own[d]!;
    });
    return s;
  });
  return { shape: outLabels.map(sizeOfLabel), sizes, strides };
}
