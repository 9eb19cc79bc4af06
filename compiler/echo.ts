// What an error message may quote of untrusted input: lists and text cut to a few entries or
// characters, with the full count, so a message stays short whatever the file holds.

/** Entries of a list a message shows before it says how many there are. */
export const ECHO_ENTRIES = 8;
/** Characters of a text a message shows before it says how long it is. */
export const ECHO_CHARS = 200;

/** `a,b,c`, or the first ECHO_ENTRIES entries and `… (N values)` after them; `sep` joins them. */
export function echoJoin(values: ArrayLike<unknown>, sep = ','): string {
  const n = values.length;
  const shown: string[] = [];
  for (let i = 0; i < Math.min(n, ECHO_ENTRIES); i++) shown.push(String(values[i]));
  return n <= ECHO_ENTRIES ? shown.join(sep) : `${shown.join(sep)}${sep}… (${n} values)`;
}

/** A shape or other list as `[a,b,c]`, cut as echoJoin cuts it. */
export function echoList(values: ArrayLike<unknown>, sep = ','): string {
  return `[${echoJoin(values, sep)}]`;
}

/** `text`, or its first ECHO_CHARS characters and `… (N characters)`. */
export function echoText(text: string): string {
  return text.length <= ECHO_CHARS ? text : `${text.slice(0, ECHO_CHARS)}… (${text.length} characters)`;
}
