import { isBroadPattern } from '../../src/domain/alerts/rules';

/** The hoarding alert's reading of "broad", now that a plain path covers everything under it. */
describe('broad patterns (reservation hoarding alert)', () => {
  it.each(['src', 'lib', '.github', 'src/**', '{src,lib}/**', '*.ts'])('%s locks a whole top-level directory or more', (p) => {
    expect(isBroadPattern(p)).toBe(true);
  });

  it.each(['src/api', 'src/api/**', 'src/api/users.ts', 'package.json', 'README.md', '.eslintrc.json', 'db/migrations/*.sql'])('%s is an ordinary reservation', (p) => {
    expect(isBroadPattern(p)).toBe(false);
  });
});
