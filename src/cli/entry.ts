/**
 * What dist/baton.cjs runs (bin/baton requires it). `baton hooks run ...` goes straight to the hook
 * runner (src/hooks/main.ts): an agent runs it around every tool call, and skipping commander and the
 * other commands' modules is most of what keeps a hook fast (`npm run bench -- hooks`).
 */
/* eslint-disable @typescript-eslint/no-require-imports -- each path loads only what it runs */
const [, , command, sub] = process.argv;
if (command === 'hooks' && sub === 'run' && !process.argv.includes('--help') && !process.argv.includes('-h')) {
  (require('../hooks/main') as typeof import('../hooks/main')).main(process.argv.slice(4));
} else {
  void (require('./main') as typeof import('./main')).main();
}
