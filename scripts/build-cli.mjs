// Bundles the `baton` CLI (src/cli/main.ts) into one plain JavaScript file, dist/baton.cjs, so an
// agent's many `baton` calls start in milliseconds: no TypeScript transpiling and no Temporal client on
// the agent's path (the CLI only speaks HTTP to the Baton server). Runs on `npm install` (prepare),
// `npm test` and `npm start`; `npm run build` after editing src/ by hand.
//
// The agent hooks' runner (`baton hooks run`, which agents run around every tool call) has a bundle of
// its own, dist/baton-hooks.cjs (bin/baton picks it): no commander, no other command, and no zod, which
// is nine tenths of the bytes and is needed only to explain an unusual input: the protocols' zod readers
// (src/hooks/protocols/*-input.ts) go to dist/baton-hook-inputs.cjs, loaded on demand.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const common = {
  absWorkingDir: root,
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
  // jsonc-parser's "main" is a UMD build whose factory requires './impl/...' at run time, which a bundle
  // cannot resolve (`baton hooks install` failed with "Cannot find module './impl/format'"); its ES
  // module build bundles like any other.
  alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
  // The server, worker and dev-server launcher are loaded through tsx by path (see src/cli/commands/
  // services.ts): they must never end up in a bundle.
};

/** In the hook bundle, each protocol's lazy `require('./<name>-input')` loads dist/baton-hook-inputs.cjs. */
const hookInputsApart = {
  name: 'hook-inputs-apart',
  setup(b) {
    b.onResolve({ filter: /^\.\/(claude-code|codex|gemini|generic)-input$/ }, (args) =>
      args.kind === 'require-call' ? { path: './baton-hook-inputs.cjs', external: true } : undefined,
    );
  },
};

const cli = await build({ ...common, entryPoints: { baton: 'src/cli/entry.ts', 'baton-hook-inputs': 'src/hooks/protocols/inputs.ts' } });
const hooks = await build({ ...common, entryPoints: { 'baton-hooks': 'src/hooks/entry.ts' }, plugins: [hookInputsApart] });

const inputs = [...Object.keys(cli.metafile.inputs), ...Object.keys(hooks.metafile.inputs)];
const temporal = inputs.filter((i) => i.includes('@temporalio/'));
if (temporal.length) {
  console.error(`dist/*.cjs must not contain the Temporal client, but bundles:\n  ${temporal.slice(0, 10).join('\n  ')}`);
  process.exit(1);
}
const heavy = Object.keys(hooks.metafile.inputs).filter((i) => /node_modules\/(commander|zod)\//.test(i) || i.startsWith('src/cli/commands/'));
if (heavy.length) {
  console.error(`dist/baton-hooks.cjs must load neither commands, commander nor zod up front, but bundles:\n  ${heavy.slice(0, 10).join('\n  ')}`);
  process.exit(1);
}
if (!process.argv.includes('--quiet')) {
  for (const [file, output] of Object.entries({ ...cli.metafile.outputs, ...hooks.metafile.outputs })) {
    if (output.entryPoint) console.log(`${file}: ${(output.bytes / 1024).toFixed(0)} KiB from ${Object.keys(output.inputs).length} modules`);
  }
}
