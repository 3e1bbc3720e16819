// Builds the humans' console (src/console/, a small Preact app) into dist/console/: one script, one
// stylesheet and the page, which the Baton server serves at `/`. Runs with the CLI bundle on
// `npm install` (prepare), `npm test`, `npm start` and `npm run build`; needs nothing but esbuild.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'console');
fs.mkdirSync(out, { recursive: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { app: 'src/console/main.tsx', styles: 'src/console/styles.css' },
  outdir: out,
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
  // Types from src/schemas are shared with the server; zod itself must not end up in the page.
});
const inputs = Object.keys(result.metafile.inputs);
const serverSide = inputs.filter((i) => /node_modules\/(zod|@temporalio|fastify)/.test(i));
if (serverSide.length) {
  console.error(`dist/console must not bundle server-side modules, but has:\n  ${serverSide.slice(0, 10).join('\n  ')}`);
  process.exit(1);
}
fs.copyFileSync(path.join(root, 'src', 'console', 'index.html'), path.join(out, 'index.html'));
const bytes = Object.entries(result.metafile.outputs)
  .filter(([file]) => !file.endsWith('.map'))
  .reduce((n, [, o]) => n + o.bytes, 0);
if (!process.argv.includes('--quiet')) console.log(`dist/console: ${(bytes / 1024).toFixed(0)} KiB from ${inputs.length} modules`);
