package dev.ttsqueue.server.internal;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's open event streams ({@code GET /jobs/{id}/events}, {@code GET /jobs/events}) and
 * the few threads that write them all. A stream that waits for its next event holds no thread:
 * it is a pending store plus a flag ({@link SseStream}); when something arrives, one drain of it
 * runs on the writers and writes what is pending.
 *
 * <ul>
 *   <li><b>Writers</b> ({@code ttsq-sse-writer-N}): {@link #defaultWriterThreads()}, that is as many
 *       as cores and at least 4. Writing an event is a little JSON and a copy into the socket's
 *       buffer, so more threads than cores would not write faster; four at least, so that a few
 *       clients stuck at once (below) leave threads for everyone else. Their queue holds at most
 *       one drain per open stream, so it is bounded by {@link #MAX_STREAMS}; threads end when idle.</li>
 *   <li><b>Heartbeat sweep</b> (one thread, {@code ttsq-sse-heartbeat}): every second (a quarter of
 *       the shorter of heartbeat and write timeout, when those are made shorter) it looks at every
 *       stream: one that wrote nothing for {@link #HEARTBEAT} gets a {@code : keep-alive} comment,
 *       written by its drain like any event; one whose write has been under way for longer than
 *       {@link #WRITE_TIMEOUT} has its connection closed, so that the write fails and the stream
 *       ends. A look at a stream is a few field reads: ten thousand streams cost well under a millisecond.</li>
 * </ul>
 *
 * <p><b>Writes and slow clients.</b> Jersey's sink writes in the caller's thread and returns when
 * the bytes are in the socket's buffer, so a drain writes synchronously; a write waits only when
 * that buffer is full, that is when the client has read nothing for a while. Such a write holds its
 * writer thread until the client reads again or the write timeout cuts it off (30 s: a client that
 * pauses for less keeps its stream; before, only Jetty's 60 s idle timeout ended such a write).
 * A stream never holds more than one writer, since at most one drain of it runs at a
 * time. While writes are stuck for more than a second, the sweep lends the writers one more
 * thread per stuck write, up to {@link #MAX_STALLED_WRITERS}: so up to that many clients that stop
 * reading at once cost the others nothing; beyond it, the others' events wait, for at most the write
 * timeout. The events of a stream whose client reads too slowly wait in its own bounded pending
 * store, not in a thread: a queue-wide stream {@code eventBacklog} events behind, or a job's stream
 * as far behind (its progress events are coalesced, so it never is in practice), is told so in a
 * comment and ends.
 *
 * <p><b>Cap.</b> At most {@link #MAX_STREAMS} streams are open at once; beyond it a new one is
 * answered 503. Each costs its connection, its pending store and a queue listener, no thread.
 *
 * <p>The setters are for tests; the server itself uses the defaults.
 */
public final class EventStreams implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventStreams.class);

    /** Streams that may be open at once; beyond it, a new one is answered 503. */
    public static final int MAX_STREAMS = 10_000;
    /** A stream that wrote nothing for this long gets a {@code : keep-alive} comment. */
    public static final Duration HEARTBEAT = Duration.ofSeconds(15);
    /** A write to one client that takes longer than this closes its connection and ends its stream. */
    public static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);
    /** Extra writer threads lent at most while writes to clients that read nothing are stuck. */
    public static final int MAX_STALLED_WRITERS = 16;
    /** Prefix of the writers' thread names. */
    public static final String WRITER_THREADS = "ttsq-sse-writer-";
    /** Name of the heartbeat sweep's thread. */
    public static final String HEARTBEAT_THREAD = "ttsq-sse-heartbeat";
    /** Items one drain writes before it lets the other streams' drains go first. */
    static final int BATCH = 32;
    /** A write under way for longer than this counts as stuck: the writers get a thread in its place. */
    private static final long STALLED_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final int writerThreads;
    private final ThreadPoolExecutor writers;
    private final ScheduledThreadPoolExecutor sweeper;
    private final Set<SseStream> open = ConcurrentHashMap.newKeySet();
    /** Streams open or being opened. */
    private final AtomicInteger count = new AtomicInteger();
    private final Object countChanged = new Object();
    private volatile int maxStreams = MAX_STREAMS;
    private volatile long heartbeatNanos = HEARTBEAT.toNanos();
    private volatile long writeTimeoutNanos = WRITE_TIMEOUT.toNanos();
    /** Guarded by {@code this}. */
    private ScheduledFuture<?> sweep;
    /** Guarded by {@code this}. */
    private boolean closed;

    /** With {@link #defaultWriterThreads()} writers. */
    public EventStreams() {
        this(defaultWriterThreads());
    }

    EventStreams(int writerThreads) {
        if (writerThreads < 1) {
            throw new IllegalArgumentException("writerThreads must be positive: " + writerThreads);
        }
        this.writerThreads = writerThreads;
        // Unbounded queue: it holds at most one drain per open stream, and open streams are capped.
        writers = new ThreadPoolExecutor(writerThreads, writerThreads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                named(WRITER_THREADS, true));
        writers.allowCoreThreadTimeOut(true);
        sweeper = new ScheduledThreadPoolExecutor(1, named(HEARTBEAT_THREAD, false));
        sweeper.setRemoveOnCancelPolicy(true);
        scheduleSweep();
    }

    /** Writer threads when no write is stuck: as many as cores, at least 4. */
    public static int defaultWriterThreads() {
        return Math.max(4, Runtime.getRuntime().availableProcessors());
    }

    /** The most writer threads there can be: {@link #defaultWriterThreads()} plus {@link #MAX_STALLED_WRITERS}. */
    public int maxWriterThreads() {
        return writerThreads + MAX_STALLED_WRITERS;
    }

    /** Streams open now (or being opened). */
    public int openStreams() {
        return count.get();
    }

    /** Waits until exactly {@code n} streams are open; false when that did not happen within {@code timeout}. */
    public boolean awaitOpenStreams(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (countChanged) {
            while (count.get() != n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(countChanged, left);
            }
            return true;
        }
    }

    /** Sets the keep-alive interval (tests make it short). */
    public void heartbeatEvery(Duration interval) {
        heartbeatNanos = positive(interval).toNanos();
        scheduleSweep();
    }

    /** Sets the write timeout; applies to streams opened from now on (tests make it short). */
    public void writeTimeout(Duration timeout) {
        writeTimeoutNanos = positive(timeout).toNanos();
        scheduleSweep();
    }

    /** Sets the cap on open streams (tests make it small). */
    public void maxStreams(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("max must not be negative: " + max);
        }
        maxStreams = max;
    }

    // ---- for the streams --------------------------------------------------------------------

    long heartbeatNanos() {
        return heartbeatNanos;
    }

    long writeTimeoutNanos() {
        return writeTimeoutNanos;
    }

    /** Takes a place for a new stream; false when {@link #MAX_STREAMS} are open already. */
    boolean reserve() {
        while (true) {
            int n = count.get();
            if (n >= maxStreams) {
                return false;
            }
            if (count.compareAndSet(n, n + 1)) {
                changed();
                return true;
            }
        }
    }

    /** Gives back a place taken by {@link #reserve()} for a stream that did not start. */
    void unreserve() {
        count.decrementAndGet();
        changed();
    }

    void opened(SseStream stream) {
        open.add(stream);
    }

    /** The stream ended: gives back its place. */
    void ended(SseStream stream) {
        open.remove(stream);
        unreserve();
    }

    /**
     * What closes the connection of {@code request} under a write that hangs: the write then fails
     * at once. Null (the request is not Jetty's) leaves that to Jetty's idle timeout.
     */
    static Runnable closer(org.eclipse.jetty.server.Request request) {
        if (request == null) {
            return null;
        }
        // Taken now, while the request is surely current; the server speaks HTTP/1.1 only, so the
        // connection carries this stream alone while it lasts.
        org.eclipse.jetty.io.EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        return endPoint::close;
    }

    /** Runs a stream's drain on a writer; RejectedExecutionException once closed. */
    void execute(Runnable drain) {
        writers.execute(drain);
    }

    // ---- sweep ------------------------------------------------------------------------------

    private synchronized void scheduleSweep() {
        if (closed) {
            return;
        }
        if (sweep != null) {
            sweep.cancel(false);
        }
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(5),
                Math.min(TimeUnit.SECONDS.toNanos(1), Math.min(heartbeatNanos, writeTimeoutNanos) / 4));
        try {
            sweep = sweeper.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            sweep = null; // closed meanwhile
        }
    }

    private void sweep() {
        long now = System.nanoTime();
        long heartbeat = heartbeatNanos;
        long writeTimeout = writeTimeoutNanos;
        long stalledAfter = Math.min(STALLED_NANOS, writeTimeout / 2);
        int stalled = 0;
        for (SseStream s : open) {
            try {
                if (s.tick(now, heartbeat, writeTimeout, stalledAfter)) {
                    stalled++;
                }
            } catch (RuntimeException e) {
                log.warn("the heartbeat of an event stream failed: {}", e.toString()); // and the sweep goes on
            }
        }
        resizeWriters(writerThreads + Math.min(stalled, MAX_STALLED_WRITERS));
    }

    private void resizeWriters(int size) {
        try {
            int now = writers.getCorePoolSize();
            if (size > now) {
                writers.setMaximumPoolSize(size);
                writers.setCorePoolSize(size); // starts threads for drains already waiting
            } else if (size < now) {
                writers.setCorePoolSize(size);
                writers.setMaximumPoolSize(size);
            }
        } catch (RuntimeException e) {
            log.warn("resizing the event stream writers failed: {}", e.toString());
        }
    }

    /**
     * Stops the threads (after the HTTP server stopped: streams got their {@code server stopping}
     * then) and ends the streams still open, so each closes its queue subscription.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (sweep != null) {
                sweep.cancel(false);
            }
        }
        sweeper.shutdownNow();
        writers.shutdownNow();
        try {
            writers.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (SseStream s : open) {
            s.end();
        }
    }

    private void changed() {
        synchronized (countChanged) {
            countChanged.notifyAll();
        }
    }

    private static Duration positive(Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("must be positive: " + d);
        }
        return d;
    }

    private static ThreadFactory named(String prefix, boolean numbered) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, numbered ? prefix + n.getAndIncrement() : prefix);
            t.setDaemon(true);
            return t;
        };
    }
}
