// Bundles the `baton` CLI (src/cli/main.ts) into one plain JavaScript file, dist/baton.cjs, so an
// agent's many `baton` calls start in milliseconds: no TypeScript transpiling and no Temporal client on
// the agent's path (the CLI only speaks HTTP to the Baton server). Runs on `npm install` (prepare),
// `npm test` and `npm start`; `npm run build` after editing src/ by hand.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const result = await build({
  absWorkingDir: root,
  entryPoints: { baton: 'src/cli/entry.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
  // The server, worker and dev-server launcher are loaded through tsx by path (see src/cli/commands/
  // services.ts): they must never end up in the bundle.
});
const inputs = Object.keys(result.metafile.inputs);
const temporal = inputs.filter((i) => i.includes('@temporalio/'));
if (temporal.length) {
  console.error(`dist/baton.cjs must not contain the Temporal client, but bundles:\n  ${temporal.slice(0, 10).join('\n  ')}`);
  process.exit(1);
}
const bytes = Object.values(result.metafile.outputs).find((o) => o.entryPoint)?.bytes ?? 0;
if (!process.argv.includes('--quiet')) console.log(`dist/baton.cjs: ${(bytes / 1024).toFixed(0)} KiB from ${inputs.length} modules`);
