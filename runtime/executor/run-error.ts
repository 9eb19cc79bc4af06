// The runtime's error for a model that cannot be bound or run: a node its kernel cannot run,
// wrong feeds, a disposed model. The loader's own refusals are ArtifactErrors (loader/load.ts).

export class RunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunError';
  }
}
