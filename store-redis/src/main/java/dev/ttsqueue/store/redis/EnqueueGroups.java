package dev.ttsqueue.store.redis;

import dev.ttsqueue.StoreUnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Sends the enqueues of concurrent callers to Redis in groups, one script per group: while
 * {@code maxInFlight} groups await their answers, new enqueues wait, and the next group takes all
 * that waited (up to {@code maxGroup}). A caller alone sends at once and waits for no one, so a
 * single submit is as fast as before; under load each script carries many jobs, and what every
 * call costs on its own (a command written, parsed, answered and waited for, the script's fixed
 * keys and arguments, Lua's set-up) is paid once per group instead of once per job.
 *
 * <p>Each job in a group is enqueued as its own script would have done it, in arrival order, and
 * gets its own answer. A group that fails fails each of its callers with its exception; when that
 * says Redis is out of reach (refused, or no answer within the command timeout), the callers still
 * waiting fail with it at once, unsent, rather than each after a group of their own. Thread-safe.
 *
 * @param <J> what one caller asks for
 */
final class EnqueueGroups<J> {
    private final int maxGroup;
    private final int maxInFlight;
    /** Sends one group; its future holds one answer per job, in order. */
    private final Function<List<J>, CompletableFuture<List<long[]>>> send;
    private final ConcurrentLinkedQueue<Waiting<J>> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    /** True on a thread inside {@link #pump}. */
    private final ThreadLocal<Boolean> pumping = ThreadLocal.withInitial(() -> false);

    private record Waiting<J>(J job, CompletableFuture<long[]> answer) {
    }

    EnqueueGroups(int maxGroup, int maxInFlight, Function<List<J>, CompletableFuture<List<long[]>>> send) {
        if (maxGroup < 1 || maxInFlight < 1) {
            throw new IllegalArgumentException("maxGroup and maxInFlight must be at least 1");
        }
        this.maxGroup = maxGroup;
        this.maxInFlight = maxInFlight;
        this.send = Objects.requireNonNull(send, "send");
    }

    /**
     * Enqueues {@code job} with whichever group it joins, and waits for its answer.
     *
     * @throws RuntimeException what sending its group failed with
     */
    long[] enqueue(J job) {
        Waiting<J> w = new Waiting<>(job, new CompletableFuture<>());
        waiting.add(w);
        pump();
        try {
            return w.answer().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (waiting.remove(w)) {
                throw new StoreUnavailableException("interrupted while waiting to enqueue; nothing was written", e);
            }
            // Its group is out: it may be written, as after any lost answer.
            throw new StoreUnavailableException("interrupted while waiting for Redis to enqueue; the job may be queued", e);
        } catch (ExecutionException e) {
            throw forThisCaller(e.getCause());
        }
    }

    /**
     * The group's failure, thrown again with this caller's stack (each caller of a group gets the
     * same exception object, made on a connection thread).
     */
    private static RuntimeException forThisCaller(Throwable failure) {
        if (failure instanceof StoreUnavailableException u) {
            return new StoreUnavailableException(u.getMessage(), u);
        }
        if (failure instanceof RedisStoreException r) {
            return new RedisStoreException(r.getMessage(), r);
        }
        if (failure instanceof RuntimeException r) {
            return r;
        }
        return new IllegalStateException("enqueue failed: " + failure, failure);
    }

    /** Callers waiting for a group to take them (for tests: O(n)). */
    int waiting() {
        return waiting.size();
    }

    /** Groups sent and not yet answered (for tests). */
    int inFlight() {
        return inFlight.get();
    }

    /**
     * Sends groups while some wait and fewer than {@code maxInFlight} are out. Whoever adds a job
     * calls it, and so does each group's answer after it gave back its slot: the caller either sees
     * the free slot or the answer's call sees its job, so none is left waiting. An answer that
     * arrives inside this loop, on its thread (a group refused at once), only gives its slot back:
     * the loop goes on, and does not nest a loop per group.
     */
    private void pump() {
        if (pumping.get()) {
            return;
        }
        pumping.set(true);
        try {
            while (!waiting.isEmpty()) {
                int out = inFlight.get();
                if (out >= maxInFlight) {
                    return;
                }
                if (!inFlight.compareAndSet(out, out + 1)) {
                    continue;
                }
                List<Waiting<J>> group = new ArrayList<>(Math.min(maxGroup, 16));
                Waiting<J> w;
                while (group.size() < maxGroup && (w = waiting.poll()) != null) {
                    group.add(w);
                }
                if (group.isEmpty()) {
                    inFlight.decrementAndGet();
                    continue;
                }
                sendGroup(group);
            }
        } finally {
            pumping.set(false);
        }
    }

    private void sendGroup(List<Waiting<J>> group) {
        List<J> jobs = new ArrayList<>(group.size());
        for (Waiting<J> w : group) {
            jobs.add(w.job());
        }
        CompletableFuture<List<long[]>> answers;
        try {
            answers = send.apply(jobs);
        } catch (Throwable e) {
            answers = CompletableFuture.failedFuture(e);
        }
        answers.whenComplete((list, error) -> {
            try {
                settle(group, list, error);
            } finally {
                inFlight.decrementAndGet();
                pump();
            }
        });
    }

    private void settle(List<Waiting<J>> group, List<long[]> answers, Throwable error) {
        if (error == null && (answers == null || answers.size() != group.size())) {
            error = new RedisStoreException("Redis answered " + (answers == null ? "nothing" : answers.size() + " results")
                    + " to an enqueue of " + group.size() + " jobs", null);
        }
        while (error instanceof CompletionException && error.getCause() != null) {
            error = error.getCause();
        }
        for (int i = 0; i < group.size(); i++) {
            if (error != null) {
                group.get(i).answer().completeExceptionally(error);
            } else {
                group.get(i).answer().complete(answers.get(i));
            }
        }
        if (error instanceof StoreUnavailableException) {
            // Redis is out of reach (or did not answer within the command timeout): the callers
            // still waiting would each wait for a group of their own to fail the same way. They
            // fail now; nothing of theirs was sent.
            Waiting<J> w;
            while ((w = waiting.poll()) != null) {
                w.answer().completeExceptionally(new StoreUnavailableException(error.getMessage() + " (not sent)", error));
            }
        }
    }
}
