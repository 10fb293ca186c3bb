import t from 'tap';
import { fileURLToPath } from 'node:url';
import { checkImports, importsOf, readImports, resolveImport, type AllowedImport, type ImportRule, type Violation } from './imports.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The direction of imports (docs/architecture.md, "The rules core and the
 * import rules"): doors → chat → store; the store never imports the rules or a
 * door; the wire contract and the browser client stand on their own.
 */
const RULES: readonly ImportRule[] = [
  {
    from: 'src/gateway/',
    forbidden: ['src/store/'],
    exempt: ['src/gateway/server.ts'],
    why: 'a door reaches the store only through the services and ports of src/chat/; src/gateway/server.ts wires the store\'s implementations in',
  },
  {
    from: 'src/matrix/',
    forbidden: ['src/store/'],
    why: 'the Matrix door reaches the store only through the services and ports of src/chat/ (its own reads: chat/matrix-store.ts); src/gateway/server.ts wires them in',
  },
  {
    from: 'src/store/',
    forbidden: ['src/chat/', 'src/gateway/', 'src/cli/', 'src/web/', 'src/matrix/'],
    why: 'the store knows SQL, never the rules or a door: a rule asked inside a transaction is injected, not imported',
  },
  {
    from: 'src/protocol/',
    forbidden: [''],
    why: 'the wire contract imports nothing of Roost: every door and every client depends on it, it depends on none of them',
  },
  {
    from: 'src/web/',
    forbidden: [''],
    except: ['src/protocol/'],
    why: 'the browser bundle takes only the wire contract from the server\'s folders (types from src/protocol/), never server code',
  },
];

/**
 * Imports the rules tolerate. Every entry but the permanent one is work in
 * flight on another branch; when it lands the entry is unused and this test
 * says to remove it, so the list shrinks to the one exception.
 */
const ALLOWED: readonly AllowedImport[] = [
  {
    file: 'src/store/write/writer-thread.ts',
    imports: 'src/chat/policy.ts',
    permanent: true,
    why: 'the one agreed exception: the file that wires the writer thread injects the pure rules of chat/policy.ts, so the writer re-checks a decision inside its transaction with the same functions as every door',
  },
];

function describe(v: Violation): string {
  return `${v.file}:${v.line} imports ${JSON.stringify(v.specifier)} (${v.target}): ${v.rule.why}`;
}

t.test('every import in src/ goes in an allowed direction', async (t) => {
  const files = readImports(root, ['src']);
  t.ok(files.length > 100, `read the sources (${files.length} files)`);
  const { violations, used } = checkImports(files, RULES, ALLOWED);
  t.same(violations.map(describe), [], 'no import breaks a rule');
  const stale = ALLOWED.filter((a) => a.permanent !== true && !used.has(a));
  t.same(stale.map((a) => `${a.file} no longer imports ${a.imports}: remove it from ALLOWED`), [], 'every allow-list entry is still needed');
});

t.test('every dependency a file can spell counts, types included', async (t) => {
  const text = [
    "import { a } from './a.js';",
    "import type { B } from '../store/b.js';",
    "import {\n  c,\n  type C,\n} from '../store/c.js';",
    "export { d } from '../store/d.js';",
    "export type { E } from '../store/e.js';",
    "export * from '../store/f.js';",
    "const g = await import('../store/g.js');",
    "type H = typeof import('../store/h.js');",
    "import i = require('../store/i.js');",
    "import '../store/j.js';",
    "// import { k } from '../store/k.js';",
    "const l = \"import { l } from '../store/l.js'\";",
    "import { m } from 'node:fs';",
  ].join('\n');
  t.same(importsOf('src/gateway/x.ts', text).map((r) => r.specifier), [
    './a.js', '../store/b.js', '../store/c.js', '../store/d.js', '../store/e.js', '../store/f.js',
    '../store/g.js', '../store/h.js', '../store/i.js', '../store/j.js', 'node:fs',
  ], 'every form is found; comments and strings are not imports');
  t.equal(importsOf('src/gateway/x.ts', text)[2]?.line, 3, 'the line of an import is where it starts');
  t.equal(resolveImport(root, 'src/gateway/x.ts', '../store/read/reader.js'), 'src/store/read/reader.ts', '.js names its .ts source');
  t.equal(resolveImport(root, 'src/web/ui/App.tsx', '../chat-store.js'), 'src/web/chat-store.ts');
  t.equal(resolveImport(root, 'src/web/main.tsx', './ui/App.js'), 'src/web/ui/App.tsx', 'or its .tsx source');
  t.equal(resolveImport(root, 'src/gateway/x.ts', 'node:fs'), null, 'packages are not the rules\' business');
});

t.test('a broken rule is named with its file, line and import', async (t) => {
  const file = (name: string, ...targets: string[]) => ({ file: name, imports: targets.map((target, i) => ({ specifier: `spec-${i}`, line: i + 1, target })) });
  const files = [
    file('src/gateway/routes.ts', 'src/chat/files.ts', 'src/store/read/reader.ts'),
    file('src/gateway/server.ts', 'src/store/read/reader.ts'),
    file('src/store/write/writer-thread.ts', 'src/chat/policy.ts', 'src/chat/service.ts'),
    file('src/protocol/frames.ts', 'src/protocol/errors.ts', 'src/config/schema.ts'),
    file('src/web/chat-store.ts', 'src/web/protocol.ts', 'src/protocol/frames.ts', 'src/gateway/http.ts'),
    file('src/chat/service.ts', 'src/store/read/reader.ts'),
  ];
  const allowed: AllowedImport[] = [
    { file: 'src/store/write/writer-thread.ts', imports: 'src/chat/policy.ts', permanent: true, why: 'the exception' },
    { file: 'src/gateway/old.ts', imports: 'src/store/', why: 'landed already' },
  ];
  const { violations, used } = checkImports(files, RULES, allowed);
  t.same(violations.map((v) => `${v.file}:${v.line} ${v.target}`), [
    'src/gateway/routes.ts:2 src/store/read/reader.ts',
    'src/store/write/writer-thread.ts:2 src/chat/service.ts',
    'src/protocol/frames.ts:2 src/config/schema.ts',
    'src/web/chat-store.ts:3 src/gateway/http.ts',
  ], 'server.ts may wire the store, chat may use it, the writer takes only the policy, the web client only the protocol');
  t.match(describe(violations[0] as Violation), /^src\/gateway\/routes\.ts:2 imports "spec-1" \(src\/store\/read\/reader\.ts\): a door reaches the store only through/, 'the message says what to do instead');
  t.same([...used].map((a) => a.file), ['src/store/write/writer-thread.ts'], 'an entry no file needs is not counted as used');
});
