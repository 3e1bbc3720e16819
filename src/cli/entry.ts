import { main } from './main';

/** What dist/baton.cjs runs (bin/baton requires it; `baton hooks run` has its own bundle, src/hooks/entry.ts). */
void main();
