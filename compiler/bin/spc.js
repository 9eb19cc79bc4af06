#!/usr/bin/env node
// The spc command of the spc-compiler package: the compiled CLI staged beside it in dist/
// (scripts/stage-packages.mjs; in the repository `npm run build` stages it, bin/spc.js runs dist/).
import { main } from '../dist/compiler/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
