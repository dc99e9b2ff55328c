package dev.ttsqueue.server.internal;

import dev.ttsqueue.Subscription;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open event stream, written actor-style: whoever has something for it (the queue's event
 * thread with an event, a stopping server, the heartbeat sweep) puts it in the stream's own pending
 * store, which never waits, and calls {@link #signal()}; that schedules one drain of the stream on
 * {@link EventStreams}' writers unless one is scheduled or running already. So a stream that waits
 * holds no thread, at most one thread ever writes it, and what it writes goes out in order.
 *
 * <p>A drain writes what is pending, at most {@link EventStreams#BATCH} items before it queues
 * itself again behind the other streams' drains, then clears its flag and looks once more: an item
 * put in after its last look but before the flag was clear would otherwise wait for the next one.
 *
 * <p>The stream ends (subscription, shutdown registration and response closed, its place in
 * {@link EventStreams} given back) exactly once, whatever ends it: a terminal event, the client
 * gone (a write fails), a write that took too long, the server stopping, an error.
 */
abstract class SseStream {
    private static final Logger log = LoggerFactory.getLogger(SseStream.class);

    /** What {@link #writeNext} did. */
    enum Next {
        /** Wrote (or skipped) one item: look for the next. */
        WROTE,
        /** Nothing is pending. */
        IDLE,
        /** The stream is over (terminal event written, client gone, server stopping). */
        END
    }

    private enum Slice {
        MORE, DONE, END
    }

    private final EventStreams streams;
    final SseWriter out;
    /** Closes the connection under a write that hangs; never null. */
    private final Runnable abort;
    /** Set while a drain is scheduled or running; held by whoever opens the stream until {@link #start}. */
    private final AtomicBoolean scheduled = new AtomicBoolean(true);
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicBoolean aborted = new AtomicBoolean();
    private volatile boolean heartbeatDue;
    private volatile Subscription subscription;
    private volatile ShutdownHooks.Registration onShutdown;
    /** Only the drain reads or writes it. */
    private boolean opened;

    SseStream(EventStreams streams, SseWriter out, Runnable abort) {
        this.streams = streams;
        this.out = out;
        this.abort = abort == null ? () -> { } : abort;
    }

    /** Writes what a client gets first; false when the stream is over already. */
    abstract boolean open() throws InterruptedException;

    /** Writes the next pending item, if any. */
    abstract Next writeNext() throws InterruptedException;

    /** Whether {@link #writeNext} has something to do (an item, or the end to tell). */
    abstract boolean hasPending();

    /** What the logs call this stream. */
    abstract String describe();

    /**
     * Lets the stream run: from now on, what arrives schedules a drain. The first drain writes
     * {@link #open()}, then whatever arrived meanwhile. False when the writers take no more work
     * (the server stops): the stream is then ended already, except for its response, which the
     * caller answers.
     */
    final boolean start(Subscription subscription, ShutdownHooks.Registration onShutdown) {
        this.subscription = subscription;
        this.onShutdown = onShutdown;
        streams.opened(this);
        try {
            streams.execute(this::drain);
            return true;
        } catch (RejectedExecutionException e) {
            release(false);
            return false;
        }
    }

    /** Something was put in the pending store: schedules a drain unless one is scheduled or running. */
    final void signal() {
        if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
            submit();
        }
    }

    private void submit() {
        try {
            streams.execute(this::drain);
        } catch (RejectedExecutionException e) {
            end(); // the server stops: nobody will write this stream any more
        }
    }

    private void drain() {
        if (ended.get()) {
            return;
        }
        Slice slice;
        try {
            slice = slice();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the writers are being stopped
            slice = Slice.END;
        } catch (RuntimeException e) {
            log.warn("{} ended with an error: {}", describe(), e.toString());
            slice = Slice.END;
        } catch (Error e) {
            end();
            throw e;
        }
        switch (slice) {
            case END -> end();
            case MORE -> submit(); // still scheduled: behind the drains already waiting
            case DONE -> {
                scheduled.set(false);
                if (hasWork() && scheduled.compareAndSet(false, true)) {
                    submit();
                }
            }
        }
    }

    private Slice slice() throws InterruptedException {
        if (!opened) {
            opened = true;
            if (!open()) {
                return Slice.END;
            }
        }
        for (int i = 0; i < EventStreams.BATCH; i++) {
            switch (writeNext()) {
                case END -> {
                    return Slice.END;
                }
                case IDLE -> {
                    if (heartbeatDue) {
                        heartbeatDue = false;
                        // Only when nothing else was written meanwhile: any write keeps the stream alive.
                        if (System.nanoTime() - out.lastWrite() >= streams.heartbeatNanos() && !out.comment("keep-alive")) {
                            return Slice.END;
                        }
                    }
                    return Slice.DONE;
                }
                case WROTE -> {
                }
            }
        }
        return hasWork() ? Slice.MORE : Slice.DONE;
    }

    private boolean hasWork() {
        return heartbeatDue || hasPending();
    }

    /**
     * Called by the heartbeat sweep. Asks for a keep-alive when the stream wrote nothing for the
     * heartbeat interval; cuts the connection under a write that has taken longer than the write
     * timeout (the write then fails, and the drain ends the stream).
     *
     * @return whether a write has been in progress for longer than {@code stalledNanos}
     */
    final boolean tick(long now, long heartbeatNanos, long writeTimeoutNanos, long stalledNanos) {
        if (ended.get()) {
            return false;
        }
        long since = out.writingSince();
        if (since != 0) {
            long busy = now - since;
            if (busy > writeTimeoutNanos && aborted.compareAndSet(false, true)) {
                log.info("closing {}: its client took nothing for {} ms", describe(), writeTimeoutNanos / 1_000_000);
                try {
                    abort.run();
                } catch (RuntimeException e) {
                    log.debug("closing the connection of {} failed: {}", describe(), e.toString());
                }
            }
            return busy > stalledNanos;
        }
        if (!heartbeatDue && now - out.lastWrite() >= heartbeatNanos) {
            heartbeatDue = true;
            signal();
        }
        return false;
    }

    /** Ends the stream: once, from whichever thread gets here first. */
    final void end() {
        release(true);
    }

    /**
     * Closes the subscription, the shutdown registration and (with {@code closeResponse}) the
     * response, then gives back the stream's place; only the first call does anything.
     */
    private void release(boolean closeResponse) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        try {
            Subscription s = subscription;
            if (s != null) {
                s.close();
            }
        } catch (RuntimeException e) {
            log.warn("closing the subscription of {} failed: {}", describe(), e.toString());
        } finally {
            try {
                ShutdownHooks.Registration r = onShutdown;
                if (r != null) {
                    r.close();
                }
                if (closeResponse) {
                    out.close();
                }
            } finally {
                streams.ended(this);
            }
        }
    }
}
