// Errors the compiler reports to users. An SpcError is bad input (exit code 1) and its
// message names the file, node or field at fault; anything else escaping is a bug.

export class SpcError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpcError';
  }
}

/** A command-line usage mistake (exit code 2). */
export class UsageError extends SpcError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
