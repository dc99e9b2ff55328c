package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.audio.WavCodec;
import dev.ttsqueue.store.redis.RedisConfig;
import dev.ttsqueue.store.redis.RedisJobStore;
import dev.ttsqueue.store.redis.testing.RedisServer;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several packaged server processes on one real redis-server (with a password, which no node may
 * ever log), each with its own {@code --data-dir}, acting as one queue: global priority order
 * whichever node took a job, every job run once, a killed node's job finished by another, a
 * Redis restart under load that loses no acknowledged job, and a job's event stream and cancel
 * served by a node that does not run it. Uses {@code --backend synthetic} (20 ms per word) and a
 * 3 s lease. Moments are found by watching the nodes and Redis, never by sleeping.
 */
class MultiNodeIT {
    private static final String PASSWORD = "node-secret-4711";
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final int SAMPLES_PER_WORD = 2_400;
    private static final Pattern DISCARDED = Pattern.compile("result discarded");

    @TempDir
    Path dir;
    private RedisServer redis;
    private final List<ServerProcess> nodes = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        nodes.forEach(ServerProcess::close);
        for (AutoCloseable c : closeables) {
            c.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    // ---- the tests ----------------------------------------------------------------------------

    @Test
    void threeNodesRunThreeHundredJobsOnceEachInGlobalPriorityOrder() throws Exception {
        startRedis(false);
        ServerProcess[] n = {node(1), node(2), node(3)};
        addVoice(n[0]);
        String upload = upload(n[1]);
        // Hold every worker with a long job, so that all 300 jobs are queued before any starts.
        List<String> blockers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            blockers.add(submit(n[i], "blocker " + i + words(1000), 0));
        }
        await("three blockers running", () -> n[0].get("/jobs/queue-status").json(), q -> q.at("/job_counts/processing").asInt() == 3);

        Random random = new Random(11);
        List<String> ids = new ArrayList<>();
        Map<String, Integer> priorities = new ConcurrentHashMap<>();
        for (int i = 0; i < 300; i++) {
            int priority = List.of(-1, 0, 0, 1, 5).get(random.nextInt(5));
            ServerProcess via = n[i % 3];
            String id = i % 2 == 0 ? submit(via, "job " + i, priority) : submitWithUpload(via, upload, "job " + i, priority);
            ids.add(id);
            priorities.put(id, priority);
        }
        JsonNode full = n[2].get("/jobs/queue-status").json();
        assertEquals(300, full.at("/job_counts/queued").asInt(), "nothing started before the last submission: " + full);
        assertEquals(3, full.at("/job_counts/processing").asInt());
        for (int i = 0; i < 3; i++) {
            // Each blocker cancelled through another node than the one that took it.
            assertEquals(200, n[(i + 1) % 3].send(n[(i + 1) % 3].request("/jobs/" + blockers.get(i)).DELETE().build()).status());
        }
        awaitIdle(n[0]);

        // Claim order is token order (tokens grow with every claim, whichever node makes it).
        RedisJobStore reader = reader();
        List<String> claimOrder = ids.stream().sorted(Comparator.comparingLong(id -> reader.get(id).orElseThrow().fencingToken())).toList();
        List<String> runOrder = new ArrayList<>(ids);
        runOrder.sort(Comparator.comparingInt((String id) -> -priorities.get(id))); // stable: submission order within a priority
        assertEquals(runOrder, claimOrder, "higher priority first, then submission order, across all nodes");

        Set<String> outputs = new HashSet<>();
        Set<String> runners = new HashSet<>();
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            JsonNode status = n[(i + 1) % 3].get("/jobs/" + id + "/status").json();
            assertEquals("completed", status.get("status").asText(), status.toString());
            assertEquals(1, reader.get(id).orElseThrow().attempts(), "ran once: " + id);
            String output = status.at("/result/output_file_id").asText();
            assertTrue(outputs.add(output), "one output per job");
            checkWav(n[(i + 2) % 3], output, 2);
            runners.add(redisCli("HGET", "{ttsq}:job:" + id, "node"));
        }
        assertEquals(Set.of("node-1", "node-2", "node-3"), runners, "every node ran some of them");
        for (ServerProcess node : n) {
            JsonNode q = node.get("/jobs/queue-status").json();
            assertEquals(300, q.at("/job_counts/completed").asInt(), "counts are global: " + q);
            assertEquals(3, q.at("/job_counts/cancelled").asInt());
            JsonNode health = node.get("/health").json();
            assertTrue(health.get("store_reachable").asBoolean(), health.toString());
            assertFalse(health.get("store").asText().contains(PASSWORD));
            assertEquals(List.of(), node.linesMatching(DISCARDED));
            assertEquals(List.of(), node.linesMatching(Pattern.compile(Pattern.quote(PASSWORD))), "the password was logged");
        }
    }

    @Test
    void aKilledNodesJobCompletesOnceOnAnotherAfterItsLeaseAndDownloadsFromEveryNode() throws Exception {
        startRedis(false);
        ServerProcess[] n = {node(1), node(2), node(3)};
        addVoice(n[0]);
        String id = submit(n[0], "victim" + words(150), 0);
        await("the job mid-way", () -> n[0].get("/jobs/" + id + "/status").json(), s -> s.get("progress").asDouble() > 0);
        String runner = redisCli("HGET", "{ttsq}:job:" + id, "node");
        int victim = Integer.parseInt(runner.substring("node-".length())) - 1;
        n[victim].kill();
        List<ServerProcess> alive = new ArrayList<>(List.of(n));
        alive.remove(victim);

        JsonNode done = await("the job completed elsewhere", () -> alive.get(0).get("/jobs/" + id + "/status").json(),
                s -> s.get("status").asText().equals("completed"));
        RedisJobStore reader = reader();
        assertEquals(2, reader.get(id).orElseThrow().attempts(), "claimed by the dead node, then once more");
        assertTrue(!redisCli("HGET", "{ttsq}:job:" + id, "node").equals(runner), "finished by another node");
        long lost = alive.stream().mapToLong(p -> p.linesMatching(Pattern.compile("job " + id + " lost its worker")).size()).sum();
        assertEquals(1, lost, "recovered by exactly one node");
        String output = done.at("/result/output_file_id").asText();
        for (ServerProcess p : alive) {
            checkWav(p, output, 151);
            assertEquals(List.of(), p.linesMatching(DISCARDED));
        }
        ServerProcess back = node(victim + 1); // the killed node again: it serves the audio too
        checkWav(back, output, 151);
        assertEquals(1, back.get("/jobs/queue-status").json().at("/job_counts/completed").asInt());
    }

    @Test
    void redisKilledAndRestartedWithItsAppendOnlyFileUnderLoadLosesNoAcknowledgedJob() throws Exception {
        startRedis(true);
        ServerProcess[] n = {node(1), node(2)};
        addVoice(n[0]);
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicInteger refused = new AtomicInteger();
        AtomicBoolean sawUnhealthy = new AtomicBoolean();
        AtomicInteger sent = new AtomicInteger();
        ExecutorService submitters = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                running.add(submitters.submit(() -> {
                    while (acknowledged.size() < 400) {
                        int i = sent.getAndIncrement();
                        ServerProcess via = n[i % 2];
                        TestServer.Reply r = via.postJson("/jobs/submit", "{\"job_type\":\"tts_permanent\",\"parameters\":"
                                + "{\"voice_name\":\"several\",\"gen_text\":\"load " + i + "\"}}");
                        if (r.status() == 200) {
                            acknowledged.add(r.json().get("job_id").asText());
                        } else {
                            assertEquals(503, r.status(), r.text());
                            assertTrue(r.detail().contains("job store cannot be reached"), r.text());
                            refused.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            await("100 acknowledged jobs", acknowledged::size, s -> s >= 100);
            redis.kill();
            await("a submit refused while Redis is down", refused::get, r -> r > 0);
            TestServer.Reply health = n[1].get("/health");
            assertEquals(503, health.status(), health.text());
            assertFalse(health.json().get("store_reachable").asBoolean());
            sawUnhealthy.set(true);
            redis.restart();
            for (Future<?> f : running) {
                f.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            }
        } finally {
            submitters.shutdownNow();
        }
        assertTrue(sawUnhealthy.get());
        for (ServerProcess node : n) {
            awaitIdle(node);
        }
        int completed = 0;
        for (String id : acknowledged) {
            JsonNode status = n[completed % 2].get("/jobs/" + id + "/status").json();
            assertEquals("completed", status.get("status").asText(), "acknowledged job " + id + ": " + status);
            completed++;
        }
        assertTrue(completed >= 400);
        for (ServerProcess node : n) {
            assertTrue(node.get("/health").json().get("store_reachable").asBoolean(), "the node is back by itself");
            assertEquals(List.of(), node.linesMatching(Pattern.compile(Pattern.quote(PASSWORD))));
        }
    }

    @Test
    void aNodeStreamsTheEventsOfAJobAnotherRunsAndCancelsAJobAnotherRunsWithinASecond() throws Exception {
        startRedis(false);
        ServerProcess[] n = {node(1), node(2)};
        addVoice(n[0]);

        String followed = submit(n[0], "followed" + words(60), 0);
        ServerProcess runner = await("the job started", () -> runnerOf(followed, n), r -> r != null);
        ServerProcess other = runner == n[0] ? n[1] : n[0];
        List<String[]> events = events(other, followed);
        List<String> names = events.stream().map(e -> e[0]).toList();
        assertEquals("completed", names.get(names.size() - 1), names.toString());
        assertTrue(names.stream().filter("progress"::equals).count() >= 3, "progress from the other node: " + names);
        assertEquals(1, names.stream().filter(Set.of("completed", "failed", "cancelled")::contains).count());
        JsonNode last = TestServer.JSON.readTree(events.get(events.size() - 1)[1]);
        assertEquals(100.0, last.get("progress").asDouble());
        checkWav(other, last.at("/result/output_file_id").asText(), 61);

        String stopped = submit(other, "stop me" + words(1000), 0);
        ServerProcess stopRunner = await("the long job started", () -> runnerOf(stopped, n), r -> r != null);
        ServerProcess canceller = stopRunner == n[0] ? n[1] : n[0];
        await("the long job mid-way", () -> stopRunner.get("/jobs/" + stopped + "/status").json(), s -> s.get("progress").asDouble() > 0);
        long start = System.nanoTime();
        assertEquals(200, canceller.send(canceller.request("/jobs/" + stopped).DELETE().build()).status());
        await("cancelled", () -> stopRunner.get("/jobs/" + stopped + "/status").json(), s -> s.get("status").asText().equals("cancelled"));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(millis < 1_000, "the running node stopped " + millis + " ms after the cancel on the other");
    }

    // ---- nodes and Redis ----------------------------------------------------------------------

    private void startRedis(boolean appendOnly) throws Exception {
        redis = RedisServer.start(dir.resolve("redis"), appendOnly
                ? List.of("--save", "", "--requirepass", PASSWORD, "--appendonly", "yes", "--appendfsync", "everysec")
                : List.of("--save", "", "--requirepass", PASSWORD, "--appendonly", "no"));
    }

    private String storeUri() {
        return "redis://:" + PASSWORD + "@127.0.0.1:" + redis.port() + "/0";
    }

    /** Node {@code i}: its own data folder, the shared Redis. */
    private ServerProcess node(int i) throws Exception {
        ServerProcess p = ServerProcess.start(dir.resolve("node-" + i), "--backend", "synthetic", "--store", storeUri(),
                "--node-id", "node-" + i, "--lease", "3s", "--max-queue-size", "0");
        nodes.add(p);
        return p;
    }

    private RedisJobStore reader() {
        RedisJobStore s = RedisJobStore.open(RedisConfig.builder(storeUri()).nodeId("test-reader").build());
        closeables.add(s);
        return s;
    }

    private String redisCli(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("-a", PASSWORD, "--no-auth-warning"));
        all.addAll(List.of(args));
        return redis.cli(all.toArray(String[]::new));
    }

    /** The node running {@code id} now, by the node id the claim recorded; null while it waits. */
    private ServerProcess runnerOf(String id, ServerProcess[] n) throws Exception {
        if (!n[0].get("/jobs/" + id + "/status").json().get("status").asText().equals("processing")) {
            return null;
        }
        String node = redisCli("HGET", "{ttsq}:job:" + id, "node");
        return n[Integer.parseInt(node.substring("node-".length())) - 1];
    }

    // ---- talking to a node --------------------------------------------------------------------

    private static void addVoice(ServerProcess s) throws Exception {
        TestServer.Reply r = s.postMultipart("/upload-permanent-voice", Map.of("voice_name", "several", "audio_file", TestServer.wavFile(1)));
        assertEquals(200, r.status(), r.text());
    }

    private static String upload(ServerProcess s) throws Exception {
        TestServer.Reply r = s.postMultipart("/upload-audio", Map.of("audio_file", TestServer.wavFile(1)));
        assertEquals(200, r.status(), r.text());
        return r.json().get("file_id").asText();
    }

    private static String words(int n) {
        return " word".repeat(n);
    }

    private static String submit(ServerProcess s, String text, int priority) throws Exception {
        TestServer.Reply r = s.postJson("/jobs/submit", "{\"job_type\":\"tts_permanent\",\"parameters\":{\"voice_name\":\"several\","
                + "\"gen_text\":\"" + text + "\"},\"priority\":" + priority + "}");
        assertEquals(200, r.status(), r.text());
        return r.json().get("job_id").asText();
    }

    /** A job whose reference is an upload made on another node than the one that may run it. */
    private static String submitWithUpload(ServerProcess s, String upload, String text, int priority) throws Exception {
        TestServer.Reply r = s.postJson("/jobs/submit", "{\"job_type\":\"tts_generate\",\"parameters\":{\"audio_file_id\":\"" + upload
                + "\",\"ref_text\":\"reference words\",\"gen_text\":\"" + text + "\"},\"priority\":" + priority + "}");
        assertEquals(200, r.status(), r.text());
        return r.json().get("job_id").asText();
    }

    private static void awaitIdle(ServerProcess s) throws Exception {
        await("an idle queue", () -> s.get("/jobs/queue-status").json(),
                q -> q.at("/job_counts/queued").asInt() == 0 && q.at("/job_counts/processing").asInt() == 0);
    }

    /** Downloads an output from {@code s} and checks it is the synthetic backend's tone for {@code words} words. */
    private static void checkWav(ServerProcess s, String output, int words) throws Exception {
        HttpResponse<byte[]> r = s.http().send(s.request("/download-audio/" + output).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), "download of " + output);
        AudioClip clip = WavCodec.decode(r.body());
        assertEquals(words * SAMPLES_PER_WORD, clip.samples().length);
    }

    /** Every event of the job's stream on {@code s} up to the end of the stream: {name, data}. */
    private static List<String[]> events(ServerProcess s, String id) throws Exception {
        return s.http().sendAsync(s.request("/jobs/" + id + "/events").timeout(DEADLINE).build(), HttpResponse.BodyHandlers.ofLines())
                .thenApply(r -> {
                    List<String[]> out = new ArrayList<>();
                    try (Stream<String> lines = r.body()) {
                        String event = null;
                        String data = null;
                        for (Iterator<String> it = lines.iterator(); it.hasNext(); ) {
                            String l = it.next();
                            if (l.isEmpty()) {
                                if (event != null && data != null) {
                                    out.add(new String[] {event, data});
                                }
                                event = null;
                                data = null;
                            } else if (l.startsWith("event:")) {
                                event = l.substring(6).strip();
                            } else if (l.startsWith("data:")) {
                                data = l.substring(5).strip();
                            }
                        }
                    }
                    return out;
                }).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }

    /**
     * Asks {@code probe} until {@code done} accepts the answer (other processes are watched, so
     * this polls, 20 ms apart) and returns that answer.
     */
    private static <T> T await(String what, Callable<T> probe, Predicate<T> done) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        T answer = null;
        while (System.nanoTime() < deadline) {
            try {
                answer = probe.call();
                if (done.test(answer)) {
                    return answer;
                }
            } catch (UncheckedIOException e) {
                // a node mid-restart: ask again
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        fail("no " + what + " within " + DEADLINE + "; last answer: " + answer);
        return answer;
    }
}
