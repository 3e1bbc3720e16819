import { ServiceError } from '@temporalio/client';
import { toBatonError } from '../../src/client/errors';
import { EXIT_CODES } from '../../src/domain/errors';

/**
 * What a caller is told when Temporal refuses an update for load. The SDK wraps the server's status
 * in a ServiceError whose own message is only "Workflow Update failed"; these are the errors it
 * builds (same classes, same shape), so the reason must be read from the cause.
 */
const STATUS: Record<number, string> = { 8: 'RESOURCE_EXHAUSTED', 9: 'FAILED_PRECONDITION', 13: 'INTERNAL', 14: 'UNAVAILABLE' };

/** A status as grpc-js raises it ("8 RESOURCE_EXHAUSTED: <details>"). */
function grpcError(code: number, details: string, message = `${code} ${STATUS[code]}: ${details}`): Error {
  return Object.assign(new Error(message), { code, details, metadata: {} });
}

/** What executeUpdate throws: the status wrapped in a ServiceError. */
function sdkError(outer: string, code: number, details: string): ServiceError {
  return new ServiceError(outer, { cause: grpcError(code, details) });
}

/** What executeUpdateWithStart throws: the status itself, rewritten to the failed operation's code and message. */
function updateWithStartError(code: number, operationMessage: string): Error {
  return grpcError(code, 'Update-with-Start could not be executed.', operationMessage);
}

describe('errors of a busy Temporal server', () => {
  it('calls an update refused at the in-flight limit BUSY and says so, never a bare INTERNAL', () => {
    const error = toBatonError(sdkError('Workflow Update failed', 8, 'limit on number of concurrent in-flight updates has been reached (10)'));
    expect(error.code).toBe('BUSY');
    expect(error.message).toMatch(/in-flight update limit/);
    expect(error.message).toMatch(/\(10\)/);
    expect(EXIT_CODES[error.code]).toBe(9);
  });

  it('reads the same refusal and an abort through update-with-start (a MultiOperation failure)', () => {
    const refused = toBatonError(updateWithStartError(8, 'limit on number of concurrent in-flight updates has been reached (10)'));
    expect(refused.code).toBe('BUSY');
    expect(refused.message).toMatch(/in-flight update limit \(limit on number of concurrent in-flight updates has been reached \(10\)\)/);
    const aborted = toBatonError(updateWithStartError(14, 'workflow update was aborted'));
    expect(aborted.code).toBe('BUSY');
    expect(aborted.message).toMatch(/aborted the update before the workflow accepted it \(workflow update was aborted\)/);
  });

  it('calls an update the server aborted before accepting it BUSY', () => {
    const error = toBatonError(sdkError('Workflow Update failed', 14, 'workflow update was aborted'));
    expect(error.code).toBe('BUSY');
    expect(error.message).toMatch(/aborted the update before the workflow accepted it/);
  });

  it('calls an update whose workflow task the server failed BUSY (nothing was applied; resent under the same update id)', () => {
    const error = toBatonError(sdkError('Workflow Update failed', 9, 'Unable to perform workflow execution update due to unexpected workflow task failure.'));
    expect(error.code).toBe('BUSY');
    expect(error.message).toMatch(/aborted the update before the workflow accepted it \(Unable to perform workflow execution update due to unexpected workflow task failure\.\)/);
  });

  it('keeps the server reason of any other failure in the message', () => {
    const error = toBatonError(sdkError('Workflow Update failed', 13, 'something unexpected on the server'));
    expect(error.code).toBe('INTERNAL');
    // The status stays in the words (people and the tests' retry recogniser read it).
    expect(error.message).toBe('Workflow Update failed: 13 INTERNAL: something unexpected on the server');
  });
});
