#!/usr/bin/env node
// The installed `roost` command: everything lives in the built CLI.
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv);
