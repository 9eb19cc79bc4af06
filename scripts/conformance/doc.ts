import type { TestResult } from './run.js';
export function writeOperatorsDoc(path: string, _results: readonly TestResult[]): string { return path; }
