// Loaded with `node --import` in every test process (see .taprc), after tap's own imports.
//
// tap puts @tapjs/processinfo in NODE_OPTIONS and, through process-on-spawn, into the
// environment of every process a test starts, so that coverage can follow them. Each
// such child (a `roost` CLI run, a server, a load generator) then loads every module
// through processinfo's hooks: a loader thread, the line lengths of every source, a
// JSON file at exit. That doubled the CPU of a test that runs the CLI forty times.
// With coverage off (`npm test`) nothing reads what they record, so children start
// as they do for a user; `npm run coverage` keeps them followed.
//
// Worker threads inherit the test process's flags, tap's imports among them: each
// writer, search or admin thread a test starts registered tap's mock and processinfo
// hooks again, in a loader thread of its own (650 ms a writer start under tap against
// 240 without). With coverage off they get only the flags a thread can use and the
// TypeScript loader.
import { createRequire, syncBuiltinESMExports } from 'node:module';

const COVERAGE_OFF = process.env._TAPJS_PROCESSINFO_COVERAGE_ === '0';
const PROCESSINFO = /"?--(?:import|loader|require)=[^"\s]*@tapjs[\\/]processinfo[^"\s]*"?/g;

/** What a worker thread keeps of this process's flags: not tap's hooks, not V8's (a thread refuses those). */
const WORKER_EXEC_ARGV = process.execArgv.filter((a) => a === '--enable-source-maps' || (a.startsWith('--import=') && !a.includes('@tapjs')));

/** NODE_OPTIONS without processinfo's hook (undefined when nothing else is left). */
function withoutProcessInfo(options) {
  if (options === undefined) return undefined;
  const rest = options.replace(PROCESSINFO, ' ').replace(/\s+/g, ' ').trim();
  return rest === '' ? undefined : rest;
}

function leanEnv(env) {
  const { NODE_OPTIONS, ...rest } = env;
  const options = withoutProcessInfo(NODE_OPTIONS);
  return options === undefined ? rest : { ...rest, NODE_OPTIONS: options };
}

if (COVERAGE_OFF) {
  const options = withoutProcessInfo(process.env.NODE_OPTIONS);
  if (options === undefined) delete process.env.NODE_OPTIONS;
  else process.env.NODE_OPTIONS = options;
  // process-on-spawn's listeners run in order on every spawn; processinfo's put the hook back.
  const spawnHooks = globalThis[Symbol.for('process-on-spawn@*:singletonId')];
  spawnHooks?.listeners.push((child) => {
    child.env = leanEnv(child.env);
  });

  const threads = createRequire(import.meta.url)('node:worker_threads');
  const { Worker } = threads;
  threads.Worker = class LeanWorker extends Worker {
    constructor(file, options = {}) {
      super(file, options.execArgv === undefined ? { ...options, execArgv: WORKER_EXEC_ARGV } : options);
    }
  };
  // `import { Worker } from 'node:worker_threads'` in modules loaded later sees the class above.
  syncBuiltinESMExports();
}
