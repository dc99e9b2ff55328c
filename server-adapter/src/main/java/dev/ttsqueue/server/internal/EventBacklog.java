package dev.ttsqueue.server.internal;

import dev.ttsqueue.JobEvent;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The events one queue-wide stream has yet to write. The queue's event thread puts them in and
 * never waits; the stream's own thread takes them out. A job's progress event still waiting here
 * is replaced, in its place, by the job's next one (each carries the whole progress), so a client
 * a little behind sees fewer progress events, never fewer of the others. A client too far behind
 * overflows the backlog: what waits is dropped, nothing more is taken, and the stream ends, so
 * memory per stream stays bounded whatever the queue does.
 */
final class EventBacklog {
    /** Why {@link #poll} returned nothing. */
    enum End {
        NONE, OVERFLOWED, STOPPED
    }

    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Slot> slots = new ArrayDeque<>();
    /** The waiting progress slot of each job that has one. */
    private final Map<String, Slot> progressWaiting = new HashMap<>();
    private End end = End.NONE;

    private static final class Slot {
        JobEvent event;

        Slot(JobEvent event) {
            this.event = event;
        }
    }

    /** @param capacity events that may wait; beyond it the backlog overflows */
    EventBacklog(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
    }

    /** Takes {@code event} unless the backlog has ended; never blocks for long (a lock held for O(1) work). */
    void offer(JobEvent event) {
        lock.lock();
        try {
            if (end != End.NONE) {
                return;
            }
            if (event.kind() == JobEvent.Kind.PROGRESS) {
                Slot waiting = progressWaiting.get(event.jobId());
                if (waiting != null) {
                    waiting.event = event;
                    return;
                }
            }
            if (slots.size() >= capacity) {
                finish(End.OVERFLOWED);
                return;
            }
            Slot slot = new Slot(event);
            slots.addLast(slot);
            if (event.kind() == JobEvent.Kind.PROGRESS) {
                progressWaiting.put(event.jobId(), slot);
            }
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Ends the backlog because the server stops; {@link #poll} returns null from now on. */
    void stop() {
        lock.lock();
        try {
            if (end == End.NONE) {
                finish(End.STOPPED);
            }
        } finally {
            lock.unlock();
        }
    }

    private void finish(End why) {
        end = why;
        slots.clear();
        progressWaiting.clear();
        changed.signal();
    }

    /**
     * The oldest waiting event; null when none came within the timeout or the backlog has ended
     * ({@link #end()} tells which).
     */
    JobEvent poll(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lock();
        try {
            while (slots.isEmpty() && end == End.NONE) {
                if (nanos <= 0) {
                    return null;
                }
                nanos = changed.awaitNanos(nanos);
            }
            Slot slot = slots.pollFirst();
            if (slot == null) {
                return null;
            }
            progressWaiting.remove(slot.event.jobId(), slot);
            return slot.event;
        } finally {
            lock.unlock();
        }
    }

    End end() {
        lock.lock();
        try {
            return end;
        } finally {
            lock.unlock();
        }
    }

    /** Events waiting now. */
    int size() {
        lock.lock();
        try {
            return slots.size();
        } finally {
            lock.unlock();
        }
    }
}
