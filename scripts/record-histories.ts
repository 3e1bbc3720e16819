import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * `npm run record-histories`: reruns the pattern tests (every test that calls
 * `recordHistory`) on a real server with BATON_RECORD_HISTORIES=1, which saves each full run's history
 * (and the project workflow's) as a replay fixture under test/replay/histories/, or under
 * BATON_RECORD_HISTORIES_DIR when set. Rerun after an intended, versioned change to a workflow; commit
 * the files. Extra arguments go to jest (e.g. `-- -t "Code Review"`).
 */
const root = path.resolve(__dirname, '..');
const jest = path.join(root, 'node_modules', '.bin', 'jest');
const result = spawnSync(jest, ['test/patterns', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, BATON_RECORD_HISTORIES: '1' },
});
process.exit(result.status ?? 1);
