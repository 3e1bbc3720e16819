import fs from 'node:fs';
import type { RunningDevServer } from '../../src/server/dev-server';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as Record<string, unknown>).__BATON_DEV_SERVER__ as RunningDevServer | undefined;
  await server?.stop();
  if (process.env.BATON_TEST_BUNDLE) fs.rmSync(process.env.BATON_TEST_BUNDLE, { force: true });
}
