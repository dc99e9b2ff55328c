package dev.ttsqueue.server.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What requests still waiting must do when the server stops: a synchronous request cancels its
 * job and answers 503 (nobody would collect the result later), an event stream ends. Run before
 * the HTTP server stops, so its graceful stop finds nothing left to wait for.
 */
public final class ShutdownHooks {
    private static final Logger log = LoggerFactory.getLogger(ShutdownHooks.class);

    private final Map<Long, Runnable> hooks = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private volatile boolean shuttingDown;

    /** Removes a hook that is no longer needed (its request was answered). */
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /** Registers {@code hook}; the returned handle removes it. Runs it at once when the server is already stopping. */
    public Registration register(Runnable hook) {
        long id = ids.incrementAndGet();
        hooks.put(id, hook);
        if (shuttingDown && hooks.remove(id) != null) {
            runQuietly(hook);
        }
        return () -> hooks.remove(id);
    }

    /** Runs every registered hook once. */
    public void runAll() {
        shuttingDown = true;
        for (Long id : hooks.keySet()) {
            Runnable hook = hooks.remove(id);
            if (hook != null) {
                runQuietly(hook);
            }
        }
    }

    private static void runQuietly(Runnable hook) {
        try {
            hook.run();
        } catch (RuntimeException e) {
            log.warn("a shutdown step of a waiting request failed: {}", e.toString());
        }
    }
}
