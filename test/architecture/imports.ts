import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/**
 * Reads which modules a TypeScript file depends on, for the import rules.
 * The compiler's own parser, not a regular expression: an import inside a
 * comment or a string is no dependency, and a type-only import is one.
 */

export interface ImportRef {
  /** As written: `../store/read/reader.js`. */
  specifier: string;
  /** 1-based line of the import, for the failure message. */
  line: number;
}

/** Every module the source names: `import`, `import type`, `export … from`, `import()`, `import x = require()`, `typeof import()`. */
export function importsOf(fileName: string, text: string): ImportRef[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, fileName.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: ImportRef[] = [];
  const add = (node: ts.Node, spec: ts.Expression | undefined): void => {
    if (spec === undefined || !ts.isStringLiteralLike(spec)) return;
    found.push({ specifier: spec.text, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node, node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node, node.moduleReference.expression);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node, node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node, node.argument.literal);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * The repository path a relative specifier names (`src/store/read/reader.ts`),
 * or null for a package (`node:fs`, `preact`). `.js` names the `.ts` or `.tsx`
 * source it is compiled from.
 */
export function resolveImport(root: string, fromFile: string, specifier: string): string | null {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return null;
  const absolute = resolve(root, dirname(fromFile), specifier);
  let target = absolute;
  if (absolute.endsWith('.js')) {
    const stem = absolute.slice(0, -3);
    target = existsSync(`${stem}.tsx`) && !existsSync(`${stem}.ts`) ? `${stem}.tsx` : `${stem}.ts`;
  }
  return relative(root, target).split(sep).join('/');
}

/** Every .ts and .tsx file under `dir` (repository-relative, `/`-separated), sorted. */
export function sourceFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(child);
    }
  };
  walk(dir);
  return out.sort();
}

/** A direction the code may not take: files under `from` may import nothing under any of `forbidden` (folder prefixes ending in `/`). */
export interface ImportRule {
  from: string;
  /** Folders the files may not import; `except` names the ones they still may, for a rule written as "only these". */
  forbidden: readonly string[];
  except?: readonly string[];
  /** Files under `from` the rule does not bind (the one that wires the server). */
  exempt?: readonly string[];
  why: string;
}

/** One import the rules tolerate, for now or for good. */
export interface AllowedImport {
  file: string;
  /** A file, or a folder prefix ending in `/`. */
  imports: string;
  /** Kept when no file needs it (the writer's policy import, added by whoever injects the rules). */
  permanent?: boolean;
  why: string;
}

export interface Violation { file: string; line: number; specifier: string; target: string; rule: ImportRule }

export interface FileImports { file: string; imports: Array<ImportRef & { target: string | null }> }

const covers = (prefix: string, path: string): boolean => (prefix.endsWith('/') ? path.startsWith(prefix) : path === prefix);

/** The imports that break a rule, and the allow-list entries that excused one of them. */
export function checkImports(files: readonly FileImports[], rules: readonly ImportRule[], allowed: readonly AllowedImport[]): { violations: Violation[]; used: Set<AllowedImport> } {
  const violations: Violation[] = [];
  const used = new Set<AllowedImport>();
  for (const { file, imports } of files) {
    for (const rule of rules) {
      if (!file.startsWith(rule.from) || rule.exempt?.includes(file)) continue;
      for (const ref of imports) {
        const target = ref.target;
        if (target === null || target.startsWith(rule.from)) continue;
        if (!rule.forbidden.some((f) => target.startsWith(f)) || rule.except?.some((e) => target.startsWith(e))) continue;
        const excuse = allowed.find((a) => a.file === file && covers(a.imports, target));
        if (excuse !== undefined) {
          used.add(excuse);
          continue;
        }
        violations.push({ file, line: ref.line, specifier: ref.specifier, target, rule });
      }
    }
  }
  return { violations, used };
}

/** Reads and resolves every source file under the folders. */
export function readImports(root: string, dirs: readonly string[]): FileImports[] {
  return dirs.flatMap((dir) => sourceFiles(root, dir)).map((file) => ({
    file,
    imports: importsOf(file, readFileSync(join(root, file), 'utf8')).map((ref) => ({ ...ref, target: resolveImport(root, file, ref.specifier) })),
  }));
}
