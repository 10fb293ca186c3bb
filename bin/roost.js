#!/usr/bin/env -S MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=1048576 node --max-semi-space-size=2
// The installed `roost` command: everything lives in the bundled CLI (scripts/build-server.mjs).
import { main } from '../dist/bundle/roost.js';

// `roost user list | head` closes the pipe early; that is the reader's choice, not a failure.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

process.exitCode = await main(process.argv);
