import { main } from './main';

/**
 * What dist/baton-hooks.cjs runs: bin/baton requires it instead of the whole CLI for `baton hooks run
 * ...`, the command an agent runs around every tool call. Its own small bundle (the hook runner, the
 * HTTP client, no commander, no zod until an unusual input needs it) is most of what keeps a hook fast:
 * `npm run bench -- hooks`.
 */
main(process.argv.slice(4));
