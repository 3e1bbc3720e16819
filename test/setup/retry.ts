/**
 * Integration tests share one real Temporal server on a 2-core machine. A test that fails is run once
 * more, with its first failure printed, so an infrastructure hiccup (e.g. a gRPC retry timer of a
 * previous suite firing after its connection closed) does not turn CI red; a real defect fails twice.
 */
jest.retryTimes(1, { logErrorsBeforeRetry: true });
