import { isBroadPattern } from '../../src/domain/alerts/rules';

/** The hoarding alert's reading of "broad": a plain path is a directory or a file by its form (glob.ts). */
describe('broad patterns (reservation hoarding alert)', () => {
  it.each(['src', 'src/', 'lib', '.github', 'config.d/', 'src/**', '{src,lib}/**', '*.ts'])('%s locks a whole top-level directory or more', (p) => {
    expect(isBroadPattern(p)).toBe(true);
  });

  it.each(['src/api', 'src/api/', 'src/api/**', 'src/api/users.ts', 'package.json', 'README.md', '.eslintrc.json', 'config.d', 'v1.2', 'db/migrations/*.sql'])(
    '%s is an ordinary reservation',
    (p) => {
      expect(isBroadPattern(p)).toBe(false);
    },
  );
});
