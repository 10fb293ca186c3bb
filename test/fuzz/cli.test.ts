/**
 * Random and mutated command lines run through the CLI's entry point against
 * the data folder of a running server (about 4 s of FUZZ_SECONDS). Properties:
 * the CLI never throws or hangs, exits 0, 1 or 2, explains failures on stderr
 * with a "roost:" or usage line, and the server stays healthy and keeps
 * following the admin events the CLI appends.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import t from 'tap';
import { cliSettled, fuzzMs, runCli, saveToCorpus, startArena } from './harness.js';

t.test('fuzzed command lines: exit 0/1/2 with a reason, never a throw or a hang; the server carries on', async (t) => {
  const arena = await startArena();
  t.teardown(() => arena.close());
  // Command lines without --data use ROOST_DATA, else ./roost-data: a scratch folder here, so
  // the fuzzer never writes users into the checkout's default data folder (where `npm start`
  // would then find a database and create no first admin).
  const scratch = mkdtempSync(join(tmpdir(), 'roost-fuzz-default-'));
  const before = process.env.ROOST_DATA;
  process.env.ROOST_DATA = scratch;
  const checkoutData = join(process.cwd(), 'roost-data');
  const checkoutDataExisted = existsSync(checkoutData);
  t.teardown(() => {
    if (before === undefined) delete process.env.ROOST_DATA;
    else process.env.ROOST_DATA = before;
    rmSync(scratch, { recursive: true, force: true });
  });
  const data = ['--data', arena.s.dataDir];
  const word = fc.oneof(
    fc.constantFrom('fuzzer', 'bystander', 'admin', 'fuzz-room', 'private', arena.ownRoom, arena.otherRoom, '', '-', '--', '---x', '--admin', '--all', '--members', '--help', '-h', '--version'),
    fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }), fc.integer().map(String), fc.constant('a'.repeat(300)),
  );
  const commandLine = fc.tuple(
    fc.constantFrom(['user', 'add'], ['user', 'list'], ['user', 'disable'], ['user', 'tokens'], ['user', 'logout-all'], ['user', 'passwd'], ['user'],
      ['room', 'create'], ['room', 'add'], ['room', 'remove'], ['room', 'list'], ['room'], ['dm'], ['config', 'show'], ['config', 'check'], ['nonsense'], []),
    fc.array(word, { maxLength: 5 }),
    fc.boolean(),
  ).map(([cmd, args, withData]) => [...cmd, ...args.filter((a) => a !== '--password-stdin'), ...(withData ? data : [])]);

  const problems: string[] = [];
  let runs = 0;
  const started = Date.now();
  let failing: string[] | undefined;
  await fc.assert(
    fc.asyncProperty(commandLine, async (argv) => {
      const r = await runCli(argv);
      runs += 1;
      if (r.code === 'hang' || r.code === 'threw' || ![0, 1, 2].includes(r.code)) problems.push(`${JSON.stringify(argv)} -> ${r.code}`);
      else if (r.code !== 0 && r.err.trim() === '' && !/Usage:/.test(r.out)) problems.push(`${JSON.stringify(argv)} -> exit ${r.code} with no reason`);
      if (problems.length > 0) {
        failing = argv;
        return false;
      }
      return true;
    }),
    { numRuns: 100_000, interruptAfterTimeLimit: fuzzMs(1 / 6), endOnFailure: true },
  ).catch(async (err: unknown) => {
    await cliSettled();
    if (failing !== undefined) t.comment(`failing input saved to test/fuzz/corpus/${saveToCorpus({ kind: 'cli', why: problems.join('; '), input: failing })}`);
    throw err;
  });
  // The time limit may have left one command line running; it holds stdout until it ends.
  await cliSettled();
  t.comment(`cli fuzz: ${runs} command lines in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  t.same(problems, []);
  t.ok(runs > 20, `a meaningful number of inputs (${runs})`);
  t.ok((await fetch(`${arena.s.http}/healthz`)).ok, 'the server is healthy');
  if (!checkoutDataExisted) t.notOk(existsSync(checkoutData), 'nothing was written to the checkout\'s default data folder');
});
