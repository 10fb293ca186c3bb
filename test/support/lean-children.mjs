// Loaded with `node --import` in every test process (see .taprc), after tap's own imports.
//
// tap puts @tapjs/processinfo in NODE_OPTIONS and, through process-on-spawn, into the
// environment of every process a test starts, so that coverage can follow them. Each
// such child (a `roost` CLI run, a server, a load generator) then loads every module
// through processinfo's hooks: a loader thread, the line lengths of every source, a
// JSON file at exit. That doubled the CPU of a test that runs the CLI forty times.
// With coverage off (`npm test`) nothing reads what they record, so children start
// as they do for a user; `npm run coverage` keeps them followed.
const COVERAGE_OFF = process.env._TAPJS_PROCESSINFO_COVERAGE_ === '0';
const PROCESSINFO = /"?--(?:import|loader|require)=[^"\s]*@tapjs[\\/]processinfo[^"\s]*"?/g;

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
}
