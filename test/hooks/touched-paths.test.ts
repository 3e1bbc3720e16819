import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { patchedPaths } from '../../src/hooks/apply-patch';
import { findRepoRoot, repoRelativePaths } from '../../src/hooks/touched-paths';

describe('apply_patch headers', () => {
  it('reads added, updated, moved and deleted files once each, with CRLF line ends and hunk lines that look like headers ignored', () => {
    const patch = [
      '*** Begin Patch',
      '*** Add File: a/new.ts',
      '+*** Update File: not/a/header.ts',
      '*** Update File: b/old.ts',
      '*** Move to: b/renamed.ts',
      '@@ class X',
      '- *** Delete File: nope.ts',
      '+x',
      '*** Update File: a/new.ts',
      '*** Delete File: c/gone.ts  ',
      '*** End Patch',
    ].join('\r\n');
    expect(patchedPaths(patch)).toEqual(['a/new.ts', 'b/old.ts', 'b/renamed.ts', 'c/gone.ts']);
  });
});

describe('repo-relative paths', () => {
  let root: string;
  beforeAll(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'baton-paths-')));
    fs.mkdirSync(path.join(root, '.git'));
    fs.mkdirSync(path.join(root, 'src', 'deep'), { recursive: true });
    fs.symlinkSync(root, path.join(os.tmpdir(), `${path.basename(root)}-link`));
  });
  afterAll(() => {
    fs.rmSync(path.join(os.tmpdir(), `${path.basename(root)}-link`), { force: true });
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('finds the repository root from a subdirectory, and none outside one', () => {
    expect(findRepoRoot(path.join(root, 'src', 'deep'))).toBe(root);
    expect(findRepoRoot('/')).toBeUndefined();
  });

  it('normalizes absolute and cwd-relative paths, follows symlinks, drops outside, .git and unnameable paths', () => {
    const link = path.join(os.tmpdir(), `${path.basename(root)}-link`);
    const got = repoRelativePaths(
      [
        `${root}/src/a.ts`,
        '../b.ts',
        './deep/../c.ts',
        `${link}/src/new-file.ts`,
        '/etc/passwd',
        '../../../outside.ts',
        `${root}/.git/HEAD`,
        'we\\ird.ts',
        `${root}/src/a.ts`,
        root,
      ],
      path.join(root, 'src', 'deep'),
      root,
    );
    expect(got).toEqual(['src/a.ts', 'src/b.ts', 'src/deep/c.ts', 'src/new-file.ts']);
  });
});
