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
 * gets its own answer; a group that fails (Redis out of reach, a timeout) fails each of its
 * callers with the same exception. Thread-safe.
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
            // The group may still be written: the same as a lost answer, which the caller must
            // allow for anyway.
            throw new StoreUnavailableException("interrupted while waiting for Redis to enqueue", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
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
     * the free slot or the answer's call sees its job, so none is left waiting.
     */
    private void pump() {
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
    }

    private void sendGroup(List<Waiting<J>> group) {
        List<J> jobs = new ArrayList<>(group.size());
        for (Waiting<J> w : group) {
            jobs.add(w.job());
        }
        CompletableFuture<List<long[]>> answers;
        try {
            answers = send.apply(jobs);
        } catch (RuntimeException e) {
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

    private static <J> void settle(List<Waiting<J>> group, List<long[]> answers, Throwable error) {
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
    }
}
