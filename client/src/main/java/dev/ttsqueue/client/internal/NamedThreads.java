package dev.ttsqueue.client.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Daemon threads named {@code prefix} or {@code prefix-N}: a client left unclosed does not keep
 * the JVM alive, and thread dumps say whose threads these are.
 */
public final class NamedThreads implements ThreadFactory {
    private final String prefix;
    private final boolean numbered;
    private final AtomicInteger next = new AtomicInteger();

    public NamedThreads(String prefix, boolean numbered) {
        this.prefix = prefix;
        this.numbered = numbered;
    }

    @Override
    public Thread newThread(Runnable r) {
        Thread t = new Thread(r, numbered ? prefix + "-" + next.getAndIncrement() : prefix);
        t.setDaemon(true);
        return t;
    }
}
