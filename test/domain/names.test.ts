import { checkAgentName, generateAgentName, NAME_SPACE_SIZE } from '../../src/domain/agents/names';

describe('agent names', () => {
  it('generates CamelCase adjective+noun names, unique against what is taken', () => {
    const taken = new Set<string>();
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let i = 0; i < 5000; i++) {
      const name = generateAgentName(random, (n) => taken.has(n));
      expect(name).toMatch(/^[A-Z][a-z]+[A-Z][a-z]+$/);
      expect(taken.has(name.toLowerCase())).toBe(false);
      taken.add(name.toLowerCase());
    }
    expect(NAME_SPACE_SIZE).toBeGreaterThan(20_000);
  });

  it('still finds the last free name when the space is nearly full', () => {
    const free = 'SwiftEagle'.toLowerCase();
    expect(generateAgentName(() => 0.5, (n) => n !== free)).toBe('SwiftEagle');
  });

  it.each([
    ['BoldMountain', true],
    ['all', false],
    ['boldmountain', false],
    ['Bold', false],
    ['BoldMountainRange', false],
    ['HappyAgent', false],
    ['AllStar', false],
    ['Bold Mountain', false],
  ])('checkAgentName(%s) ok=%s', (name, ok) => {
    expect(checkAgentName(name).ok).toBe(ok);
  });
});
