import type { ErrorCode } from '../../src/domain/errors';

/**
 * The table of hostile inputs the bad-input suite sends through every boundary (the typed client, raw
 * workflow updates and signals, the Baton server's HTTP API, MCP at /mcp, the CLI). Each value says
 * which error code it must earn; the suite adds the boundary-specific cases (identities the server
 * cannot verify, identities smuggled into bodies, unknown ids, other members' leases, completed
 * workflows).
 */
export interface Hostile<T = string> {
  label: string;
  value: T;
  code: ErrorCode;
  /** Refused only as a reservation (the hoarding guard); a read-only check may ask about it. */
  hoarding?: boolean;
  /**
   * Through the HTTP API, when it differs from the status of `code`: 'not sent' when BatonApi refuses it
   * before any request (a "." or ".." in a URL path would be resolved away by the URL parser).
   */
  http?: number | 'not sent';
}

const CYRILLIC_A = '\u0430'; // looks like Latin "a"
const CYRILLIC_O = '\u043e'; // looks like Latin "o"

/** Reservation patterns: path escapes, hoarding, control characters, malformed globs, size. */
export const HOSTILE_PATTERNS: Hostile[] = [
  { label: 'absolute path', value: '/etc/passwd', code: 'INVALID_INPUT' },
  { label: 'absolute glob', value: '/src/**', code: 'INVALID_INPUT' },
  { label: 'parent escape', value: '../secrets.env', code: 'INVALID_INPUT' },
  { label: 'inner parent escape', value: 'src/../../etc/passwd', code: 'INVALID_INPUT' },
  { label: 'parent escape in a brace alternative', value: 'src/{a,../b}.ts', code: 'INVALID_INPUT' },
  { label: 'dot segment', value: './src/a.ts', code: 'INVALID_INPUT' },
  { label: 'windows drive', value: 'C:\\Windows\\system32', code: 'INVALID_INPUT' },
  { label: 'home directory', value: '~/.ssh/id_rsa', code: 'INVALID_INPUT' },
  { label: 'backslashes', value: 'src\\api\\users.ts', code: 'INVALID_INPUT' },
  { label: 'empty', value: '', code: 'INVALID_INPUT' },
  { label: 'whitespace only', value: '   ', code: 'INVALID_INPUT' },
  { label: 'leading space', value: ' src/a.ts', code: 'INVALID_INPUT' },
  { label: 'NUL byte', value: 'src/a\u0000.ts', code: 'INVALID_INPUT' },
  { label: 'newline', value: 'src/a.ts\nsrc/b.ts', code: 'INVALID_INPUT' },
  { label: 'ANSI escape', value: 'src/\u001b[31mred.ts', code: 'INVALID_INPUT' },
  { label: 'DEL character', value: 'src/a\u007f.ts', code: 'INVALID_INPUT' },
  { label: 'whole repository **', hoarding: true, value: '**', code: 'INVALID_INPUT' },
  { label: 'whole repository *', hoarding: true, value: '*', code: 'INVALID_INPUT' },
  { label: 'whole repository **/*', hoarding: true, value: '**/*', code: 'INVALID_INPUT' },
  { label: 'hoarding inside braces', hoarding: true, value: '{src/a.ts,**}', code: 'INVALID_INPUT' },
  { label: 'double slash', value: 'src//a.ts', code: 'INVALID_INPUT' },
  // A plain path may end with one "/" (it then names a directory: `src/`, `config.d/`); a glob may not.
  { label: 'glob ending with a slash', value: 'src/*/', code: 'INVALID_INPUT' },
  { label: 'directory with two trailing slashes', value: 'src//', code: 'INVALID_INPUT' },
  { label: 'dot-dot directory', value: 'src/../', code: 'INVALID_INPUT' },
  { label: 'unclosed class', value: 'src/[a.ts', code: 'INVALID_INPUT' },
  { label: 'unclosed brace', value: 'src/{a,b.ts', code: 'INVALID_INPUT' },
  { label: 'single-alternative brace', value: 'src/{a}.ts', code: 'INVALID_INPUT' },
  { label: 'reversed range', value: 'src/[z-a].ts', code: 'INVALID_INPUT' },
  { label: 'gigantic pattern (5,000 chars)', value: `src/${'a'.repeat(5000)}.ts`, code: 'INVALID_INPUT' },
  { label: 'brace bomb', value: `src/${'{a,b}'.repeat(12)}.ts`, code: 'INVALID_INPUT' },
];

/** A pattern list over the per-call limit (200). */
export const GIGANTIC_PATTERN_LIST = Array.from({ length: 5000 }, (_, i) => `src/generated/file-${i}.ts`);

/** Names asked for at registration (agents). */
export const HOSTILE_NAMES: Hostile[] = [
  { label: 'empty name', value: '', code: 'INVALID_INPUT' },
  { label: 'whitespace name', value: '   ', code: 'INVALID_INPUT' },
  { label: 'Cyrillic "о" look-alike', value: `B${CYRILLIC_O}ldMountain`, code: 'INVALID_INPUT' },
  { label: 'Cyrillic "а" look-alike', value: `Sn${CYRILLIC_A}ppyOtter`, code: 'INVALID_INPUT' },
  { label: 'zero-width space', value: 'Bold\u200bMountain', code: 'INVALID_INPUT' },
  { label: 'fullwidth letters', value: '\uff22old\uff2dountain', code: 'INVALID_INPUT' },
  { label: 'newline in name', value: 'Bold\nMountain', code: 'INVALID_INPUT' },
  { label: 'NUL in name', value: 'Bold\u0000Mountain', code: 'INVALID_INPUT' },
  { label: 'ANSI escape in name', value: '\u001b[2JBoldMountain', code: 'INVALID_INPUT' },
  { label: 'path in name', value: '../BoldMountain', code: 'INVALID_INPUT' },
  { label: 'markup in name', value: '<script>alert(1)</script>', code: 'INVALID_INPUT' },
  { label: 'reserved word', value: 'all', code: 'INVALID_INPUT' },
  { label: 'reserved noun', value: 'HappyAdmin', code: 'INVALID_INPUT' },
  { label: 'not adjective+noun', value: 'boldmountain', code: 'INVALID_INPUT' },
  { label: 'gigantic name', value: `Bold${'a'.repeat(10_000)}`, code: 'INVALID_INPUT' },
];

/** Project keys (the CLI's --project, BATON_PROJECT, the client's project()). */
export const HOSTILE_PROJECT_KEYS: Hostile[] = [
  { label: 'empty project', value: '', code: 'INVALID_INPUT' },
  { label: 'whitespace project', value: '  ', code: 'INVALID_INPUT' },
  { label: 'parent escape project', value: '../other', code: 'INVALID_INPUT' },
  { label: 'space in project', value: 'acme web', code: 'INVALID_INPUT' },
  { label: 'Cyrillic project', value: `${CYRILLIC_A}cme/web`, code: 'INVALID_INPUT' },
  { label: 'control char project', value: 'acme\u0007', code: 'INVALID_INPUT' },
  { label: 'gigantic project', value: 'p'.repeat(500), code: 'INVALID_INPUT' },
  { label: 'project longer than any URL part', value: 'p'.repeat(600), code: 'INVALID_INPUT' },
  { label: 'dot-dot project', value: '..', code: 'INVALID_INPUT', http: 'not sent' },
];

/** Message fields (subject/body/recipients), as partial send requests. */
export const HOSTILE_MESSAGES: Hostile<{ to?: string[]; subject?: string; body?: string; broadcast?: boolean }>[] = [
  { label: 'empty subject', value: { subject: '' }, code: 'INVALID_INPUT' },
  { label: 'whitespace subject', value: { subject: ' \t ' }, code: 'INVALID_INPUT' },
  { label: 'gigantic subject', value: { subject: 's'.repeat(100_000) }, code: 'INVALID_INPUT' },
  { label: 'body over 64 KiB', value: { body: 'b'.repeat(64 * 1024 + 1) }, code: 'INVALID_INPUT' },
  { label: 'body of 1 MiB multibyte', value: { body: '\u00e9'.repeat(512 * 1024) }, code: 'INVALID_INPUT' },
  { label: 'no recipients', value: { to: [] }, code: 'INVALID_INPUT' },
  { label: '51 recipients', value: { to: Array.from({ length: 51 }, (_, i) => `Agent${String.fromCharCode(65 + (i % 26))}x`) }, code: 'INVALID_INPUT' },
  { label: 'Cyrillic look-alike recipient', value: { to: [`B${CYRILLIC_O}ldMountain`] }, code: 'INVALID_INPUT' },
  { label: 'unknown recipient', value: { to: ['NobodyHere'] }, code: 'NOT_FOUND' },
  { label: 'empty recipient name', value: { to: [''] }, code: 'INVALID_INPUT' },
];

/** Message ids (read/ack). */
export const HOSTILE_MESSAGE_IDS: Hostile[] = [
  { label: 'unknown message id', value: 'm-000000000000', code: 'NOT_FOUND' },
  { label: 'malformed message id', value: 'm-../../etc', code: 'INVALID_INPUT' },
  { label: 'empty message id', value: '', code: 'INVALID_INPUT' },
  { label: 'gigantic message id', value: `m-${'f'.repeat(100_000)}`, code: 'INVALID_INPUT' },
  { label: 'dot-dot message id', value: '..', code: 'INVALID_INPUT', http: 'not sent' },
];

/**
 * Bearer tokens the Baton server cannot verify (the HTTP API, MCP's initialize, the CLI's
 * BATON_TOKEN): each is UNAUTHORIZED before anything else is looked at. Tokens of real members used
 * where they do not belong (another project, a retired member, someone else's name) are the suite's.
 */
export const HOSTILE_TOKENS: Hostile[] = [
  { label: 'unknown well-formed agent token', value: `bt_${'x'.repeat(32)}`, code: 'UNAUTHORIZED' },
  { label: 'unknown well-formed human token', value: `bh_${'y'.repeat(40)}`, code: 'UNAUTHORIZED' },
  { label: 'not a Baton token', value: 'hunter2', code: 'UNAUTHORIZED' },
  { label: 'token too short', value: 'bt_short', code: 'UNAUTHORIZED' },
  { label: 'gigantic token', value: `bt_${'z'.repeat(8_000)}`, code: 'UNAUTHORIZED' },
  { label: 'quote injection in a token', value: "bt_' OR '1'='1", code: 'UNAUTHORIZED' },
  { label: 'two tokens', value: `bt_${'x'.repeat(32)} bt_${'w'.repeat(32)}`, code: 'UNAUTHORIZED' },
  { label: 'token hash instead of token', value: 'a'.repeat(64), code: 'UNAUTHORIZED' },
];

/** Whole payloads of the wrong shape, sent raw to workflow updates. */
export const WRONG_SHAPES: Hostile<unknown>[] = [
  { label: 'null payload', value: null, code: 'INVALID_INPUT' },
  { label: 'number payload', value: 42, code: 'INVALID_INPUT' },
  { label: 'string payload', value: 'reserve everything', code: 'INVALID_INPUT' },
  { label: 'array payload', value: [1, 2, 3], code: 'INVALID_INPUT' },
  { label: 'empty object', value: {}, code: 'INVALID_INPUT' },
  { label: 'prototype pollution', value: JSON.parse('{"__proto__":{"admin":true},"constructor":{"prototype":{"admin":true}}}'), code: 'INVALID_INPUT' },
];
