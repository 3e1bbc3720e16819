/**
 * `baton hooks ...` as a process, with a file-backed FakeBaton as its backend (the state file in
 * FAKE_BATON_STATE is read before and written after each call, so "shown once" holds across processes).
 * The same program setup as src/cli/main.ts: usage errors exit 2. Used by hooks-cli.test.ts.
 */
import fs from 'node:fs';
import { Command, CommanderError } from 'commander';
import { CliRuntime } from '../../src/cli/runtime';
import { createHooksCommand } from '../../src/cli/commands/hooks';
import type { HookBackend } from '../../src/hooks/backend';
import { FakeBaton, type FakeState } from './fake-baton';

const stateFile = process.env.FAKE_BATON_STATE!;

function persisted(): HookBackend {
  const fake = new FakeBaton(JSON.parse(fs.readFileSync(stateFile, 'utf8')) as FakeState);
  const save = <T>(result: T): T => {
    fs.writeFileSync(stateFile, JSON.stringify(fake.state));
    return result;
  };
  return {
    check: async (paths) => save(await fake.check(paths)),
    reserve: async (paths, reason) => save(await fake.reserve(paths, reason)),
    attention: async () => save(await fake.attention()),
  };
}

const program = new Command('baton').option('-p, --project <key>').option('--json').exitOverride();
createHooksCommand(persisted).register(program, new CliRuntime());
program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
  throw err;
});
