package dev.ttsqueue;

import static dev.ttsqueue.QueueFixture.WAIT_SECONDS;
import static dev.ttsqueue.QueueFixture.await;
import static dev.ttsqueue.QueueFixture.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.testing.SyntheticBackend;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Run order and exactly-once under concurrent submitters. */
class TtsJobQueueOrderingTest {

    @Test
    void higherPriorityFirstAndFifoWithinAPriorityUnderEightConcurrentSubmitters() throws Exception {
        SyntheticBackend backend = SyntheticBackend.builder().steps(1).gated().secondsPerChar(0).build();
        try (TtsJobQueue queue = TtsJobQueue.builder().backend(backend).build()) {
            String ref = upload(queue);
            JobHandle blocker = queue.submit(JobRequest.ttsGenerate(ref, "blocker"));
            assertTrue(backend.awaitStepsEntered(1, WAIT_SECONDS, TimeUnit.SECONDS));

            int submitters = 8;
            int perSubmitter = 60;
            ExecutorService pool = Executors.newFixedThreadPool(submitters);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<List<JobHandle>>> work = new ArrayList<>();
            Map<String, Integer> priorityOf = new java.util.concurrent.ConcurrentHashMap<>();
            for (int t = 0; t < submitters; t++) {
                int thread = t;
                work.add(pool.submit(() -> {
                    Random rnd = new Random(thread);
                    List<JobHandle> mine = new ArrayList<>();
                    go.await();
                    for (int i = 0; i < perSubmitter; i++) {
                        int priority = rnd.nextInt(4) - 1;
                        String text = thread + ":" + i;
                        priorityOf.put(text, priority);
                        mine.add(queue.submit(JobRequest.ttsGenerate(ref, text).priority(priority)));
                    }
                    return mine;
                }));
            }
            go.countDown();
            List<JobHandle> all = new ArrayList<>();
            for (Future<List<JobHandle>> f : work) {
                all.addAll(f.get(WAIT_SECONDS, TimeUnit.SECONDS));
            }
            pool.shutdown();
            backend.releaseAll();
            await(blocker);
            CompletableFuture.allOf(all.stream().map(JobHandle::result).toArray(CompletableFuture[]::new))
                    .get(WAIT_SECONDS, TimeUnit.SECONDS);

            List<String> ran = backend.order().subList(1, backend.order().size());
            assertEquals(submitters * perSubmitter, ran.size());
            int lastPriority = Integer.MAX_VALUE;
            Map<String, Integer> lastIndexPerThreadAndPriority = new HashMap<>();
            for (String text : ran) {
                int p = priorityOf.get(text);
                assertTrue(p <= lastPriority, "priority rose from " + lastPriority + " to " + p + " at " + text);
                lastPriority = p;
                String[] parts = text.split(":");
                String key = parts[0] + "@" + p;
                int index = Integer.parseInt(parts[1]);
                Integer previous = lastIndexPerThreadAndPriority.put(key, index);
                assertTrue(previous == null || previous < index, "FIFO broken within priority " + p + " of submitter " + parts[0]);
            }
        }
    }

    @Test
    void eightProducersTimesTenThousandJobsNoneLostNoneRunTwice() throws Exception {
        SyntheticBackend backend = SyntheticBackend.builder().steps(1).secondsPerChar(0).build();
        int producers = 8;
        int perProducer = 10_000;
        try (TtsJobQueue queue = TtsJobQueue.builder().backend(backend).workers(2).maxQueueSize(0).build()) {
            String ref = upload(queue);
            ExecutorService pool = Executors.newFixedThreadPool(producers);
            List<Future<List<JobHandle>>> work = new ArrayList<>();
            for (int t = 0; t < producers; t++) {
                int thread = t;
                work.add(pool.submit(() -> {
                    List<JobHandle> mine = new ArrayList<>(perProducer);
                    for (int i = 0; i < perProducer; i++) {
                        mine.add(queue.submit(JobRequest.ttsGenerate(ref, thread + ":" + i)));
                    }
                    return mine;
                }));
            }
            List<JobHandle> all = new ArrayList<>();
            for (Future<List<JobHandle>> f : work) {
                all.addAll(f.get(120, TimeUnit.SECONDS));
            }
            pool.shutdown();
            CompletableFuture.allOf(all.stream().map(JobHandle::result).toArray(CompletableFuture[]::new))
                    .get(300, TimeUnit.SECONDS);
            List<String> ran = backend.order();
            Set<String> unique = new HashSet<>(ran);
            assertEquals(producers * perProducer, ran.size(), "every job ran");
            assertEquals(ran.size(), unique.size(), "no job ran twice");
            assertEquals(producers * perProducer, queue.queueStatus().count(JobStatus.COMPLETED));
            assertTrue(backend.maxConcurrent() <= 2, "one job per worker at a time");
        }
    }
}
