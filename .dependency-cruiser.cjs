// The import structure of compiler/ and runtime/ (issue 15, acceptance 4), checked by
// test/structure.test.ts and rerunnable by hand: `npm run structure`.
// Each rule names what it keeps out; a violation prints the importing file and the import.

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'an import cycle: the modules cannot be understood, tested or loaded one before the other',
      severity: 'error',
      from: { path: '^(compiler|runtime)/' },
      to: { circular: true },
    },
    {
      name: 'analysis-not-upward',
      comment: 'compiler/analysis computes facts about the IR; passes, emit, report and cli use them, not the reverse',
      severity: 'error',
      from: { path: '^compiler/analysis/' },
      to: { path: '^compiler/(passes|emit|report|cli)/' },
    },
    {
      name: 'ir-not-upward',
      comment: 'compiler/ir is the bottom layer: the graph, its verifier and printer depend on nothing above them',
      severity: 'error',
      from: { path: '^compiler/ir/' },
      to: { path: '^compiler/(frontend|analysis|passes|emit|report|cli|sparse|calibrate|eval|tune|bench)/' },
    },
    {
      name: 'runtime-no-node',
      comment: 'the runtime is browser-safe: no Node built-in',
      severity: 'error',
      from: { path: '^runtime/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'runtime-no-compiler',
      comment: 'the runtime ships without the compiler',
      severity: 'error',
      from: { path: '^runtime/' },
      to: { path: '^compiler/' },
    },
    {
      name: 'runtime-only-flatbuffers',
      comment: 'the runtime depends on flatbuffers alone',
      severity: 'error',
      from: { path: '^runtime/' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'], pathNot: '(^|/)node_modules/flatbuffers/' },
    },
    {
      name: 'resolvable',
      comment: 'an import the cruise cannot resolve would hide its edges from every rule above',
      severity: 'error',
      from: { path: '^(compiler|runtime)/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Type-only imports count: a cycle through types is still a cycle for the reader.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    // runtime/dist and compiler/dist are the staged package copies of dist/ (scripts/stage-packages.mjs).
    exclude: { path: '^((runtime/|compiler/)?dist|node_modules)/' },
  },
};
