package dev.ttsqueue.internal;

import dev.ttsqueue.audio.AudioClip;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audio of one job as it is made: pieces in order, then an end (completed, or an error). A
 * {@link Flow.Publisher} that gives every subscriber every piece from the first, however late it
 * subscribes, as fast as the subscriber asks for them. The pieces are the job's output (no more
 * memory than the output itself), kept until the feed is dropped with the job.
 *
 * <p>The producer (a worker) never waits for a subscriber: pieces are appended and subscribers are
 * served on {@code executor}, one drain at a time per subscription, in the order of the pieces.
 */
final class AudioFeed implements Flow.Publisher<AudioClip> {
    private static final Logger log = LoggerFactory.getLogger(AudioFeed.class);
    private final Executor executor;
    private final List<AudioClip> pieces = new ArrayList<>();
    private final List<FeedSubscription> subscriptions = new CopyOnWriteArrayList<>();
    /** Guarded by {@code pieces}. */
    private boolean ended;
    /** Guarded by {@code pieces}; null when it completed. */
    private Throwable failure;

    AudioFeed(Executor executor) {
        this.executor = executor;
    }

    /** Appends a piece; ignored once the feed ended. */
    void piece(AudioClip piece) {
        Objects.requireNonNull(piece, "piece");
        synchronized (pieces) {
            if (ended) {
                return;
            }
            pieces.add(piece);
        }
        signalAll();
    }

    /** Ends the feed normally; the first end wins. */
    void complete() {
        end(null);
    }

    /** Ends the feed with {@code error}; the first end wins. */
    void fail(Throwable error) {
        end(Objects.requireNonNull(error, "error"));
    }

    private void end(Throwable error) {
        synchronized (pieces) {
            if (ended) {
                return;
            }
            ended = true;
            failure = error;
        }
        signalAll();
    }

    boolean ended() {
        synchronized (pieces) {
            return ended;
        }
    }

    /** True when a piece was handed over. */
    boolean hasPieces() {
        synchronized (pieces) {
            return !pieces.isEmpty();
        }
    }

    @Override
    public void subscribe(Flow.Subscriber<? super AudioClip> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        FeedSubscription s = new FeedSubscription(subscriber);
        subscriptions.add(s);
        s.signal(); // the first drain calls onSubscribe, before any onNext
    }

    private void signalAll() {
        for (FeedSubscription s : subscriptions) {
            s.signal();
        }
    }

    private final class FeedSubscription implements Flow.Subscription {
        private final Flow.Subscriber<? super AudioClip> subscriber;
        private final AtomicLong demand = new AtomicLong();
        /** Drains asked for and not yet run; only the caller that moved it from 0 drains. */
        private final AtomicInteger work = new AtomicInteger();
        private volatile boolean cancelled;
        /** Drain thread only. */
        private boolean started;
        /** Next piece to deliver; drain thread only. */
        private int next;
        private boolean done;

        FeedSubscription(Flow.Subscriber<? super AudioClip> subscriber) {
            this.subscriber = subscriber;
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                cancel();
                subscriber.onError(new IllegalArgumentException("request(" + n + "): demand must be positive"));
                return;
            }
            demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
            signal();
        }

        @Override
        public void cancel() {
            cancelled = true;
            subscriptions.remove(this);
        }

        void signal() {
            if (work.getAndIncrement() == 0) {
                executor.execute(this::drain);
            }
        }

        private void drain() {
            if (!started) {
                started = true;
                subscriber.onSubscribe(this);
            }
            int missed = 1;
            while (true) {
                deliver();
                missed = work.addAndGet(-missed);
                if (missed == 0) {
                    return;
                }
            }
        }

        private void deliver() {
            while (!cancelled && !done) {
                AudioClip piece = null;
                boolean end = false;
                Throwable error = null;
                synchronized (pieces) {
                    if (next < pieces.size()) {
                        if (demand.get() > 0) {
                            piece = pieces.get(next);
                        }
                    } else if (ended) {
                        end = true;
                        error = failure;
                    }
                }
                try {
                    if (piece != null) {
                        next++;
                        demand.decrementAndGet();
                        subscriber.onNext(piece);
                    } else if (end) {
                        done = true;
                        subscriptions.remove(this);
                        if (error == null) {
                            subscriber.onComplete();
                        } else {
                            subscriber.onError(error);
                        }
                    } else {
                        return;
                    }
                } catch (RuntimeException e) {
                    // A subscriber must not throw (Reactive Streams 2.13); one that does is cut off.
                    log.warn("audio subscriber {} failed; it gets no more pieces", subscriber, e);
                    cancel();
                }
            }
        }
    }
}
