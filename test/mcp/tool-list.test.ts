/**
 * The tool profiles' cost in an agent's context (bench/mcp-tools.ts prints the figures in `npm run
 * bench`): `core` must be a strict subset of `all`, and smaller by its listing.
 */
import { BYTES_PER_TOKEN, describeToolList, measureToolList, type ToolListSize } from '../../bench/mcp-tools';
import { batonTools, TOOL_PROFILES } from '../../src/mcp/server';

describe('tools/list size per profile', () => {
  let sizes: ToolListSize[];
  beforeAll(async () => {
    sizes = await measureToolList();
  });
  const size = (profile: 'all' | 'core', session: 'identified' | 'anonymous') => sizes.find((s) => s.profile === profile && s.session === session)!;

  it('lists exactly the core tools for `core`, a strict subset of `all`, with a smaller answer', () => {
    const all = size('all', 'identified');
    const core = size('core', 'identified');
    expect([...core.tools].sort()).toEqual([...TOOL_PROFILES.core].sort());
    for (const tool of core.tools) expect(all.tools).toContain(tool);
    expect(all.tools.length).toBeGreaterThan(core.tools.length);
    expect(core.bytes).toBeLessThan(all.bytes);
    expect(core.tokens).toBeLessThan(all.tokens);
  });

  it('counts `register` in anonymous sessions only, and the whole answer message', () => {
    for (const profile of ['all', 'core'] as const) {
      const identified = size(profile, 'identified');
      const anonymous = size(profile, 'anonymous');
      expect(identified.tools).not.toContain('register');
      expect(anonymous.tools).toEqual(['register', ...identified.tools]);
      expect(anonymous.bytes).toBeGreaterThan(identified.bytes);
    }
    // The answer is the listings plus the JSON-RPC envelope: more than the listings, by less than 100 bytes.
    const listings = Buffer.byteLength(JSON.stringify({ tools: batonTools('all').filter((t) => t.name !== 'register').map((t) => t.listing) }));
    expect(size('all', 'identified').bytes).toBeGreaterThan(listings);
    expect(size('all', 'identified').bytes).toBeLessThan(listings + 100);
    for (const s of sizes) expect(s.tokens).toBe(Math.ceil(s.bytes / BYTES_PER_TOKEN));
  });

  it('prints a line per profile and session with bytes and estimated tokens', () => {
    const lines = describeToolList(sizes);
    expect(lines).toHaveLength(4);
    const core = size('core', 'identified');
    expect(lines.find((l) => l.startsWith('core identified'))).toMatch(new RegExp(`^core identified +6 tools +${core.bytes} bytes  ~${core.tokens} tokens, \\d+% of all$`));
  });
});
