package dev.ttsqueue.server.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Ends a request at Jetty as soon as a write of its response fails. Jersey does not: when a
 * response whose headers are already out fails (an event stream whose client went away), its
 * Jetty container leaves the request's callback alone, so Jetty counts the request as in flight
 * until the connection dies, and a graceful stop waits its whole timeout for it.
 *
 * <p>The request's callback is completed once, by whichever comes first: the failed write here, or
 * Jersey's own end of the request.
 */
public final class FailedWritesHandler extends Handler.Wrapper {

    public FailedWritesHandler(Handler next) {
        super(next);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        OnceCallback once = new OnceCallback(callback);
        return super.handle(request, new WatchedResponse(request, response, once), once);
    }

    private static final class WatchedResponse extends Response.Wrapper {
        private final Callback request;

        WatchedResponse(Request req, Response response, Callback request) {
            super(req, response);
            this.request = request;
        }

        @Override
        public void write(boolean last, ByteBuffer content, Callback callback) {
            super.write(last, content, new Callback() {
                @Override
                public void succeeded() {
                    callback.succeeded();
                }

                @Override
                public void failed(Throwable x) {
                    try {
                        callback.failed(x);
                    } finally {
                        request.failed(x);
                    }
                }

                @Override
                public InvocationType getInvocationType() {
                    return callback.getInvocationType();
                }
            });
        }
    }

    /** Passes on the first completion only: Jersey may still end a request that a failed write ended. */
    private static final class OnceCallback implements Callback {
        private final Callback delegate;
        private final AtomicBoolean done = new AtomicBoolean();

        OnceCallback(Callback delegate) {
            this.delegate = delegate;
        }

        @Override
        public void succeeded() {
            if (done.compareAndSet(false, true)) {
                delegate.succeeded();
            }
        }

        @Override
        public void failed(Throwable x) {
            if (done.compareAndSet(false, true)) {
                delegate.failed(x);
            }
        }

        @Override
        public InvocationType getInvocationType() {
            return delegate.getInvocationType();
        }
    }
}
