// Parsing of option values shared by the commands (repeated flags, input bindings); the compile
// options themselves are declared in options/table.ts (cli/option-flags.ts makes them flags).

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `name=path` or a bare `path` (allowed when the model has one input). */
export function parseInputBinding(text: string): { name?: string; path: string } {
  const eq = text.indexOf('=');
  // A path may contain '=' only when a name is given; a lone 'x=y' is read as name=path.
  if (eq > 0) return { name: text.slice(0, eq), path: text.slice(eq + 1) };
  return { path: text };
}
