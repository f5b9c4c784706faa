// What `npm pack` would publish, checked against the package's own manifest: the file list of
// `npm pack --dry-run --json` (scripts ignored, so it lists the dist/ that is built; `npm test`
// builds first). Every module a shipped declaration imports resolves, by TypeScript's own module
// resolution over that file list alone, to a shipped declaration; every entry point is shipped;
// and the package.json has no script that npm runs, or warns about, when a consumer installs it.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  scripts?: Record<string, string>;
  bin?: Record<string, string>;
  main: string;
  module: string;
  types: string;
  exports: Record<string, string | Record<string, string>>;
};
/** Scripts npm runs for an installed dependency (npm 11 warns about each as an install script). */
const INSTALL_LIFECYCLE = ['preinstall', 'install', 'postinstall', 'preprepare', 'prepare', 'postprepare'];

/** The packed files, as package-relative POSIX paths. */
let packed: Set<string>;

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'types', 'index.d.ts'))) throw new Error('dist/ is missing: run `npm run build` first (`npm test` does)');
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  packed = new Set((JSON.parse(out) as { files: { path: string }[] }[])[0].files.map((f) => f.path));
}, 60_000);

/** A relative specifier in a shipped declaration, resolved as a consumer's TypeScript would, over the packed files only. */
function resolveInTarball(specifier: string, containingFile: string): string | undefined {
  const host: ts.ModuleResolutionHost = {
    fileExists: (f) => packed.has(posix.normalize(f)),
    readFile: (f) => (packed.has(posix.normalize(f)) ? readFileSync(join(ROOT, f), 'utf8') : undefined),
    directoryExists: (d) => [...packed].some((f) => f.startsWith(`${posix.normalize(d)}/`)),
  };
  const options: ts.CompilerOptions = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext };
  const mode = ts.ModuleKind.ESNext;
  return ts.resolveModuleName(specifier, containingFile, options, host, undefined, undefined, mode).resolvedModule?.resolvedFileName;
}

/** Files a script reads from the package itself, following `npm run X` into the scripts it runs. */
function filesOfScript(name: string, seen = new Set<string>()): string[] {
  const body = PKG.scripts?.[name];
  if (body === undefined || seen.has(name)) return [];
  seen.add(name);
  return body.split(/\s*(?:&&|\|\||;)\s*/).flatMap((command) => {
    const words = command.trim().split(/\s+/);
    if (words[0] === 'npm' && words[1] === 'run') return filesOfScript(words[2], seen);
    return words.filter((w) => /^[\w.-]+\/[\w./@-]+$/.test(w) && existsSync(join(ROOT, w)));
  });
}

describe('the packed package (npm pack --dry-run)', () => {
  it('ships a declaration for every module its declarations import', () => {
    const declarations = [...packed].filter((f) => f.endsWith('.d.ts'));
    expect(declarations.length).toBeGreaterThan(20);
    const unresolved: string[] = [];
    for (const file of declarations) {
      const { importedFiles } = ts.preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, true);
      for (const { fileName } of importedFiles) {
        if (!fileName.startsWith('.')) continue;
        const resolved = resolveInTarball(fileName, file);
        if (!resolved?.endsWith('.d.ts')) unresolved.push(`${file}: ${fileName}`);
      }
    }
    expect(unresolved).toEqual([]);
  });

  it('ships every entry point package.json names (main, module, types, exports, bin)', () => {
    const targets = [PKG.main, PKG.module, PKG.types, ...Object.values(PKG.bin ?? {})];
    for (const entry of Object.values(PKG.exports)) targets.push(...(typeof entry === 'string' ? [entry] : Object.values(entry)));
    const missing = targets.map((t) => posix.normalize(t)).filter((t) => !packed.has(t));
    expect(missing).toEqual([]);
    expect(targets.length).toBeGreaterThan(15);
  });

  it('has no script that npm would run, or warn about, when a consumer installs it', () => {
    const installScripts = Object.keys(PKG.scripts ?? {}).filter((s) => INSTALL_LIFECYCLE.includes(s));
    expect(installScripts).toEqual([]);
  });

  it('every script that runs shipped code (dist/) finds it in the tarball; the rest need a checkout and npm never runs them for a consumer', () => {
    const problems: string[] = [];
    for (const name of Object.keys(PKG.scripts ?? {})) {
      const files = filesOfScript(name);
      const unshipped = files.filter((f) => !packed.has(posix.normalize(f)));
      if (unshipped.some((f) => f.startsWith('dist/'))) problems.push(`${name}: ${unshipped.join(', ')} not packed`);
    }
    expect(problems).toEqual([]);
    // The check itself sees the files: `start` runs the shipped CLI, `build:wasm` a script kept out of the tarball.
    expect(filesOfScript('start')).toContain('dist/cli/wmoe.mjs');
    expect(filesOfScript('build')).toContain('scripts/build-wasm.mjs');
    expect(packed.has('scripts/build-wasm.mjs')).toBe(false);
  });
});
