package dev.ttsqueue.store.redis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.StoreUnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Grouping of concurrent enqueues, with a sender that the test answers by hand. */
class EnqueueGroupsTest {
    private final ExecutorService callers = Executors.newCachedThreadPool();
    /** The groups sent and not yet answered, in sending order. */
    private final BlockingQueue<Sent> sent = new LinkedBlockingQueue<>();

    private record Sent(List<Integer> jobs, CompletableFuture<List<long[]>> answer) {
        /** Answers each job with {job, job * 10, job * 100}. */
        void reply() {
            List<long[]> out = new ArrayList<>();
            for (int j : jobs) {
                out.add(new long[] {j, j * 10L, j * 100L});
            }
            answer.complete(out);
        }
    }

    @AfterEach
    void stop() {
        callers.shutdownNow();
    }

    private EnqueueGroups<Integer> groups(int maxGroup, int maxInFlight) {
        return new EnqueueGroups<>(maxGroup, maxInFlight, jobs -> {
            Sent s = new Sent(List.copyOf(jobs), new CompletableFuture<>());
            sent.add(s);
            return s.answer();
        });
    }

    private Future<long[]> call(EnqueueGroups<Integer> groups, int job) {
        return callers.submit(() -> groups.enqueue(job));
    }

    private Sent nextSent() throws InterruptedException {
        Sent s = sent.poll(10, TimeUnit.SECONDS);
        if (s == null) {
            throw new AssertionError("no group was sent");
        }
        return s;
    }

    /** Calls for jobs {@code from} to {@code to}, each once the one before waits: they arrive in that order. */
    private List<Future<long[]>> queueUp(EnqueueGroups<Integer> groups, int from, int to) throws InterruptedException {
        List<Future<long[]>> out = new ArrayList<>();
        int before = groups.waiting();
        for (int j = from; j <= to; j++) {
            out.add(call(groups, j));
            awaitWaiting(groups, before + j - from + 1);
        }
        return out;
    }

    /** Waits until {@code n} callers wait for a group. */
    private static void awaitWaiting(EnqueueGroups<Integer> groups, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (groups.waiting() != n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(groups.waiting() + " callers wait, not " + n);
            }
            Thread.sleep(1);
        }
    }

    @Test
    void aCallerAloneIsSentAtOnceAsAGroupOfOne() throws Exception {
        EnqueueGroups<Integer> groups = groups(32, 2);
        Future<long[]> one = call(groups, 7);
        Sent s = nextSent();
        assertEquals(List.of(7), s.jobs());
        s.reply();
        assertArrayEquals(new long[] {7, 70, 700}, one.get(10, TimeUnit.SECONDS));
    }

    @Test
    void callersThatArriveWhileGroupsAreOutGoTogetherInTheirOrderAndEachGetsItsOwnAnswer() throws Exception {
        EnqueueGroups<Integer> groups = groups(32, 2);
        Future<long[]> first = call(groups, 1);
        Sent s1 = nextSent();
        Future<long[]> second = call(groups, 2);
        Sent s2 = nextSent();
        List<Future<long[]>> later = queueUp(groups, 3, 7);
        assertTrue(sent.isEmpty(), "two groups are out: the others wait");
        s2.reply();
        Sent s3 = nextSent();
        assertEquals(List.of(3, 4, 5, 6, 7), s3.jobs(), "everyone who waited, in arrival order, in one group");
        s3.reply();
        for (int j = 3; j <= 7; j++) {
            assertArrayEquals(new long[] {j, j * 10L, j * 100L}, later.get(j - 3).get(10, TimeUnit.SECONDS));
        }
        assertArrayEquals(new long[] {2, 20, 200}, second.get(10, TimeUnit.SECONDS));
        assertFalse(first.isDone(), "the first group is still out");
        s1.reply();
        assertArrayEquals(new long[] {1, 10, 100}, first.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aGroupTakesAtMostItsLimitAndTheRestFollow() throws Exception {
        EnqueueGroups<Integer> groups = groups(3, 1);
        Future<long[]> first = call(groups, 0);
        Sent s0 = nextSent();
        List<Future<long[]>> later = queueUp(groups, 1, 7);
        s0.reply();
        Sent s1 = nextSent();
        assertEquals(List.of(1, 2, 3), s1.jobs());
        assertTrue(sent.isEmpty(), "one group at a time");
        s1.reply();
        Sent s2 = nextSent();
        assertEquals(List.of(4, 5, 6), s2.jobs());
        s2.reply();
        Sent s3 = nextSent();
        assertEquals(List.of(7), s3.jobs());
        s3.reply();
        first.get(10, TimeUnit.SECONDS);
        for (Future<long[]> f : later) {
            f.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aFailedGroupFailsEachOfItsCallersAndTheNextGroupGoesOn() throws Exception {
        EnqueueGroups<Integer> groups = groups(32, 1);
        Future<long[]> first = call(groups, 1);
        Sent s1 = nextSent();
        List<Future<long[]>> ab = queueUp(groups, 2, 3);
        s1.reply();
        Sent s2 = nextSent();
        Future<long[]> c = call(groups, 4);
        awaitWaiting(groups, 1);
        RedisStoreException refused = new RedisStoreException("Redis at redis://x refused to enqueue: NOPERM", null);
        s2.answer().completeExceptionally(refused);
        for (Future<long[]> f : ab) {
            var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
            assertSame(refused, e.getCause().getCause(), "each caller gets the group's exception, with its own stack");
            assertEquals(refused.getMessage(), e.getCause().getMessage());
        }
        Sent s3 = nextSent();
        assertEquals(List.of(4), s3.jobs());
        s3.reply();
        assertArrayEquals(new long[] {4, 40, 400}, c.get(10, TimeUnit.SECONDS));
        first.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aSenderThatThrowsOrAnswersTheWrongCountFailsTheGroupNotTheNext() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        EnqueueGroups<Integer> groups = new EnqueueGroups<>(32, 1, jobs -> {
            List<long[]> answers = new ArrayList<>();
            switch (calls.incrementAndGet()) {
                case 1 -> throw new StoreUnavailableException("not connected", null);
                case 2 -> {
                    // no answer for the one job
                }
                default -> answers.add(new long[] {5, 0, 0});
            }
            return CompletableFuture.completedFuture(answers);
        });
        StoreUnavailableException down = assertThrows(StoreUnavailableException.class, () -> groups.enqueue(1));
        assertEquals("not connected", down.getMessage());
        RedisStoreException wrong = assertThrows(RedisStoreException.class, () -> groups.enqueue(2));
        assertTrue(wrong.getMessage().contains("0 results"), wrong.getMessage());
        assertArrayEquals(new long[] {5, 0, 0}, groups.enqueue(3));
    }

    @Test
    void whenRedisIsOutOfReachTheCallersStillWaitingFailAtOnceUnsent() throws Exception {
        EnqueueGroups<Integer> groups = groups(32, 1);
        Future<long[]> first = call(groups, 1);
        Sent s1 = nextSent();
        List<Future<long[]>> waitingCalls = queueUp(groups, 2, 6);
        StoreUnavailableException down = new StoreUnavailableException("Redis at redis://x is not reachable", null);
        s1.answer().completeExceptionally(down);
        for (Future<long[]> f : waitingCalls) {
            var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof StoreUnavailableException && e.getCause().getMessage().contains("not sent"),
                    e.getCause().toString());
        }
        var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> first.get(10, TimeUnit.SECONDS));
        assertSame(down, e.getCause().getCause(), "thrown again with the caller's stack, caused by the group's failure");
        assertTrue(sent.isEmpty(), "none of the waiting callers was sent");
        Future<long[]> later = call(groups, 7);
        Sent s2 = nextSent();
        s2.reply();
        assertArrayEquals(new long[] {7, 70, 700}, later.get(10, TimeUnit.SECONDS), "Redis is back: the next caller goes");
    }

    @Test
    void aCallerInterruptedWhileWaitingIsNeverSent() throws Exception {
        EnqueueGroups<Integer> groups = groups(32, 1);
        Future<long[]> first = call(groups, 1);
        Sent s1 = nextSent();
        Future<long[]> interrupted = call(groups, 2);
        awaitWaiting(groups, 1);
        interrupted.cancel(true);
        awaitWaiting(groups, 0);
        Future<long[]> next = call(groups, 3);
        awaitWaiting(groups, 1);
        s1.reply();
        Sent s2 = nextSent();
        assertEquals(List.of(3), s2.jobs(), "the interrupted caller left the queue: nothing of it was written");
        s2.reply();
        first.get(10, TimeUnit.SECONDS);
        next.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aSenderThatThrowsAnErrorFailsItsCallersAndKeepsNoSlot() {
        AtomicInteger calls = new AtomicInteger();
        EnqueueGroups<Integer> groups = new EnqueueGroups<>(32, 1, jobs -> {
            if (calls.incrementAndGet() == 1) {
                throw new StackOverflowError("deep");
            }
            return CompletableFuture.completedFuture(List.of(new long[] {9, 0, 0}));
        });
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> groups.enqueue(1));
        assertTrue(e.getCause() instanceof StackOverflowError, e.toString());
        assertArrayEquals(new long[] {9, 0, 0}, groups.enqueue(2), "the one slot is free again");
    }

    @Test
    void underConcurrentCallersEveryCallIsAnsweredOnceNeverMoreGroupsOutThanTheLimit() throws Exception {
        int threads = 8;
        int perThread = 5_000;
        int maxInFlight = 2;
        AtomicInteger out = new AtomicInteger();
        AtomicInteger mostOut = new AtomicInteger();
        AtomicInteger largest = new AtomicInteger();
        ConcurrentHashMap<Integer, Boolean> seen = new ConcurrentHashMap<>();
        ExecutorService answerer = Executors.newSingleThreadExecutor();
        try {
            EnqueueGroups<Integer> groups = new EnqueueGroups<>(16, maxInFlight, jobs -> {
                int now = out.incrementAndGet();
                mostOut.accumulateAndGet(now, Math::max);
                largest.accumulateAndGet(jobs.size(), Math::max);
                for (int j : jobs) {
                    if (seen.put(j, true) != null) {
                        throw new AssertionError("job " + j + " sent twice");
                    }
                }
                List<Integer> copy = List.copyOf(jobs);
                return CompletableFuture.supplyAsync(() -> {
                    out.decrementAndGet();
                    List<long[]> answers = new ArrayList<>();
                    for (int j : copy) {
                        answers.add(new long[] {j, -j, 0});
                    }
                    return answers;
                }, answerer);
            });
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int base = t * perThread;
                running.add(callers.submit(() -> {
                    for (int j = base; j < base + perThread; j++) {
                        long[] answer = groups.enqueue(j);
                        if (answer[0] != j || answer[1] != -j) {
                            throw new AssertionError("job " + j + " got the answer of job " + answer[0]);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get(60, TimeUnit.SECONDS);
            }
            assertEquals(threads * perThread, seen.size(), "every job sent once");
            assertTrue(mostOut.get() <= maxInFlight, mostOut.get() + " groups were out at once");
            assertTrue(largest.get() <= 16, "a group of " + largest.get());
            assertEquals(0, groups.waiting());
        } finally {
            answerer.shutdownNow();
        }
    }
}
