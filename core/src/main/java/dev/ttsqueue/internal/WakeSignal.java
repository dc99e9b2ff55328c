package dev.ttsqueue.internal;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Wakes idle workers when there may be work: a submit, a job put back in the queue, a close.
 * Lock-free unless a worker is waiting: a worker registers as waiter before it re-reads the
 * version, so a signal that bumps the version afterwards always sees it.
 */
final class WakeSignal {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final AtomicLong version = new AtomicLong();
    private final AtomicInteger waiters = new AtomicInteger();

    void signal() {
        version.incrementAndGet();
        if (waiters.get() > 0) {
            lock.lock();
            try {
                wake.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** The version to pass to {@link #await}: read it before looking for work. */
    long version() {
        return version.get();
    }

    /**
     * Waits until a signal came after {@code seenVersion}, or {@code maxWait} passed (other nodes
     * may enqueue without signalling here), or {@code keepWaiting} turns false.
     */
    void await(long seenVersion, Duration maxWait, BooleanSupplier keepWaiting) throws InterruptedException {
        lock.lock();
        waiters.incrementAndGet();
        try {
            long nanos = maxWait.toNanos();
            while (keepWaiting.getAsBoolean() && version.get() == seenVersion && nanos > 0) {
                nanos = wake.awaitNanos(nanos);
            }
        } finally {
            waiters.decrementAndGet();
            lock.unlock();
        }
    }
}
