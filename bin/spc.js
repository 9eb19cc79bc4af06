#!/usr/bin/env node
// The spc command; the implementation is compiled TypeScript under dist/.
import { main } from '../dist/compiler/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
