import { main } from './main';

/** What dist/baton.cjs runs (bin/baton requires it). */
void main();
