import path from 'node:path';

/** The Baton checkout (where src/, bin/ and .baton/ live), from wherever the code runs: src/ or dist/. */
export const projectRoot = path.resolve(__dirname, '..');
