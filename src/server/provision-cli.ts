import { loadConfig } from '../config';
import { provisionTemporal, provisionTestServer, ProvisionError } from './provision';

/**
 * `npm run temporal:install`: provision the Temporal CLI and print which route worked. With
 * `--test-server` (what `npm test` passes) also Temporal's Java test server for the time-skipping suite.
 */
function main(): void {
  const quiet = process.argv.includes('--quiet');
  const withTestServer = process.argv.includes('--test-server');
  const config = loadConfig();
  try {
    const got = provisionTemporal({ home: config.home, log: (l) => console.error(l) });
    if (got.route === 'sdk-download') {
      console.error('No local Temporal CLI; the SDK will download the dev server on first start.');
    } else if (!quiet) {
      console.log(`temporal: ${got.path} (${got.version}) via ${got.route}`);
    } else {
      console.error(`Temporal CLI: ${got.version} via ${got.route}`);
    }
    if (withTestServer) {
      const server = provisionTestServer({ home: config.home, log: (l) => console.error(l) });
      if (!quiet) console.log(`temporal test server: ${server.path} (${server.version}) via ${server.route}`);
      else console.error(`Temporal test server: ${server.version} via ${server.route}`);
    }
  } catch (err) {
    if (err instanceof ProvisionError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

main();
