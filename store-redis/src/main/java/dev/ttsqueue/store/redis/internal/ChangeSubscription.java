package dev.ttsqueue.store.redis.internal;

import dev.ttsqueue.spi.JobChangeFeed;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link JobChangeFeed} subscription: a publish/subscribe connection on the change channel,
 * whose messages are handed to the listener on a thread of its own ({@code ttsq-redis-changes}),
 * in order, so that the listener may read Redis (it must not on Lettuce's I/O thread).
 *
 * <p>Lettuce reconnects and subscribes again by itself after Redis was away; every confirmation
 * after the first tells the listener that messages may have been lost meanwhile
 * ({@link JobChangeFeed.Listener#onGap()}). So does a backlog beyond {@link #MAX_PENDING}
 * messages, which are dropped rather than held without bound.
 */
public final class ChangeSubscription implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChangeSubscription.class);
    static final int MAX_PENDING = 100_000;

    private final StatefulRedisPubSubConnection<String, String> connection;
    private final ExecutorService executor;
    private final AtomicBoolean dropped = new AtomicBoolean();
    private final AtomicBoolean subscribedOnce = new AtomicBoolean();

    /**
     * Subscribes and waits for Redis to confirm, so that no change made after this returns is missed.
     *
     * @param origin this store instance's origin: its own messages are not delivered
     */
    public static ChangeSubscription open(RedisLink link, String channel, String origin, JobChangeFeed.Listener listener) {
        StatefulRedisPubSubConnection<String, String> connection = link.connectPubSub();
        try {
            ChangeSubscription s = new ChangeSubscription(connection, origin, channel, listener);
            link.call("subscribe to changes", () -> {
                connection.sync().subscribe(channel);
                return null;
            });
            return s;
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    private ChangeSubscription(StatefulRedisPubSubConnection<String, String> connection, String origin, String channel,
            JobChangeFeed.Listener listener) {
        this.connection = connection;
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(MAX_PENDING), r -> {
            Thread t = new Thread(r, "ttsq-redis-changes");
            t.setDaemon(true);
            return t;
        });
        connection.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String from, String message) {
                if (!channel.equals(from)) {
                    return;
                }
                ChangeMessage m = ChangeMessage.parse(message);
                if (m == null || m.origin().equals(origin)) {
                    return;
                }
                deliver(() -> listener.onChange(m.change()), listener);
            }

            @Override
            public void subscribed(String to, long count) {
                if (channel.equals(to) && !subscribedOnce.compareAndSet(false, true)) {
                    log.info("change feed subscribed again after Redis was away; catching up on what changed meanwhile");
                    deliver(listener::onGap, listener);
                }
            }
        });
    }

    private void deliver(Runnable task, JobChangeFeed.Listener listener) {
        try {
            executor.execute(() -> {
                if (dropped.compareAndSet(true, false)) {
                    safely(listener::onGap);
                }
                safely(task);
            });
        } catch (RejectedExecutionException e) {
            if (!executor.isShutdown() && dropped.compareAndSet(false, true)) {
                log.warn("change feed listener is {} messages behind; dropping changes until it catches up", MAX_PENDING);
            }
        }
    }

    private static void safely(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            log.warn("change feed listener failed", e);
        }
    }

    @Override
    public void close() {
        connection.close();
        executor.shutdown();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
    }
}
