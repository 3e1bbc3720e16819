// The SDK's own gRPC library (a dependency of @temporalio/client): its interceptor API is the only
// place every attempt's status is visible, including the ones the SDK resends by itself.
import { InterceptingCall, ListenerBuilder, RequesterBuilder, type Interceptor } from '@grpc/grpc-js';

const RESOURCE_EXHAUSTED = 8;

/**
 * Counts, per gRPC attempt, the updates a cluster refused: over the in-flight update limit
 * (RESOURCE_EXHAUSTED) or aborted before acceptance. Put it after the SDK's retry interceptor in a
 * connection's `interceptors` so the SDK's own resends are counted too. The server does not log the
 * in-flight refusals of plain updates, so the client is where they can be counted.
 */
export class RefusalCounter {
  refused = 0;
  aborted = 0;

  readonly interceptor: Interceptor = (options, nextCall) => {
    const requester = new RequesterBuilder()
      .withStart((metadata, listener, next) => {
        next(
          metadata,
          new ListenerBuilder()
            .withOnReceiveStatus((status, nextStatus) => {
              if (status.code === RESOURCE_EXHAUSTED && /in-flight updates/.test(status.details)) this.refused++;
              else if (/update was aborted/i.test(status.details)) this.aborted++;
              nextStatus(status);
            })
            .build(),
        );
      })
      .build();
    return new InterceptingCall(nextCall(options), requester);
  };

  snapshot(): { refused: number; aborted: number } {
    return { refused: this.refused, aborted: this.aborted };
  }
}
