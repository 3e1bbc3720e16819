import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

/**
 * Bundles src/workflows once per jest run into `<dir>/workflow-bundle-<pid>.js` and returns the path,
 * which global setups put in BATON_TEST_BUNDLE for every in-process test worker (bundling per worker
 * would cost each test file seconds of CPU). Both the dev-server and the cluster runs use it.
 */
export async function writeWorkflowBundle(dir: string): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../src/workflows'),
    logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: console.warn, error: console.error },
  });
  const codePath = path.join(dir, `workflow-bundle-${process.pid}.js`);
  fs.writeFileSync(codePath, code);
  return codePath;
}
