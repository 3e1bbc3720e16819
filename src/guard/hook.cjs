/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS, run by node without a compiler */
// What the installed git hooks run: `node src/guard/hook.cjs pre-commit|pre-push`.
//
// Plain JavaScript on purpose: loading the CLI through tsx costs seconds per commit. This runs a
// bundle of hook-main.ts (our code compiled into one file, npm packages left as ordinary requires),
// rebuilt with esbuild (tsx's own compiler) whenever one of its sources is newer than the bundle, so
// there is no build step to forget. Without esbuild it falls back to tsx.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
// Inside node_modules so the bundle's requires of npm packages resolve from the Baton checkout.
const bundle = path.join(root, 'node_modules', '.cache', 'baton', 'guard-hook.cjs');
const inputsFile = `${bundle}.inputs.json`;

function fresh() {
  try {
    const built = fs.statSync(bundle).mtimeMs;
    const inputs = JSON.parse(fs.readFileSync(inputsFile, 'utf8'));
    return inputs.every((file) => fs.statSync(path.join(root, file)).mtimeMs <= built);
  } catch {
    return false;
  }
}

function build() {
  const esbuild = require('esbuild');
  const tmp = `${bundle}.${process.pid}.tmp`;
  const result = esbuild.buildSync({
    absWorkingDir: root,
    entryPoints: [path.join(__dirname, 'hook-main.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    outfile: tmp,
    metafile: true,
    logLevel: 'silent',
  });
  fs.writeFileSync(`${inputsFile}.${process.pid}.tmp`, JSON.stringify(Object.keys(result.metafile.inputs)));
  // Renames, so a hook running at the same time never reads half a file.
  fs.renameSync(tmp, bundle);
  fs.renameSync(`${inputsFile}.${process.pid}.tmp`, inputsFile);
}

function load() {
  if (!fresh()) {
    try {
      fs.mkdirSync(path.dirname(bundle), { recursive: true });
      build();
    } catch {
      require('tsx/cjs');
      return require('./hook-main.ts');
    }
  }
  return require(bundle);
}

load().main(process.argv.slice(2));
