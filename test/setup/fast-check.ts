import fc from 'fast-check';
import { choosePropertySeed, replayCommand } from './property-seed';

/**
 * Jest setup (every test file): every fast-check property runs with the seed chosen by
 * choosePropertySeed, prints its seed and number of runs, and on failure says how to replay it.
 */
const { seed, source } = choosePropertySeed(process.env);

function report(details: fc.RunDetails<unknown>): void {
  const { currentTestName, testPath } = expect.getState();
  const replay = replayCommand(seed, testPath, currentTestName);
  const skipped = details.numSkips ? `, ${details.numSkips} skipped by preconditions` : '';
  process.stdout.write(`property "${currentTestName ?? '?'}": seed ${seed} (${source}), ${details.numRuns} runs${skipped}${details.failed ? ' FAILED' : ''}\n`);
  if (!details.failed) return;
  const error = new Error(`${fc.defaultReportMessage(details) ?? 'property failed'}\n\nReplay with the same seed (${source}):\n  ${replay}`, { cause: details.errorInstance });
  throw error;
}

fc.configureGlobal({ seed, reporter: report });
