/* global module, require */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- jest loads a sequencer with require, untransformed
const Sequencer = require('@jest/test-sequencer').default;

/**
 * The cluster run's order: every other suite first, the crash suite last. It kill -9s Temporal's own
 * services and PostgreSQL, which the run's shared Baton workers and servers live through too; no suite
 * should have to wait out those restarts.
 */
class ClusterSequencer extends Sequencer {
  sort(tests) {
    const last = (t) => (/crash\.test\.ts$/.test(t.path) ? 1 : 0);
    return [...tests].sort((a, b) => last(a) - last(b) || a.path.localeCompare(b.path));
  }
}

module.exports = ClusterSequencer;
