// @ts-check
/**
 * Jest reporter: at the end of every run, how many tests were re-run after a recognised
 * infrastructure error (test/setup/retry-environment.ts records them in each test's retryReasons), and
 * why; CI logs show it. Zero is the expected count. Plain JavaScript (an ES module) because jest
 * loads reporters without its transform.
 */
import path from 'node:path';

const PREFIX = '[infrastructure retry]';

export default class InfrastructureRetryReporter {
  /** @param {{ numTotalTests: number, testResults: { testFilePath: string, testResults: { fullName: string, status: string, retryReasons?: string[] }[] }[] }} results */
  onRunComplete(_contexts, results) {
    /** @type {{ file: string, name: string, status: string, reasons: string[] }[]} */
    const retried = [];
    for (const file of results.testResults) {
      for (const test of file.testResults) {
        const reasons = (test.retryReasons ?? []).map((r) => String(r).split('\n')[0] ?? '').filter((line) => line.includes(PREFIX));
        if (reasons.length) retried.push({ file: file.testFilePath, name: test.fullName, status: test.status, reasons: reasons.map((r) => r.slice(r.indexOf(PREFIX) + PREFIX.length).trim()) });
      }
    }
    const lines = [`Infrastructure retries: ${retried.length} of ${results.numTotalTests} tests re-run after an infrastructure error (retried only for gRPC UNAVAILABLE or a closed connection; expected 0)`];
    for (const r of retried) lines.push(`  - ${r.name} (${path.relative(process.cwd(), r.file)}): ${r.reasons.join('; ')} -> ${r.status} on the retry`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}
