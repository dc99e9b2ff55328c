package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.audio.WavCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged server on its SQLite store, stopped with SIGTERM or killed with SIGKILL at chosen
 * moments and started again on the same data folder: every acknowledged job completes exactly
 * once, with its own output, served as WAV. Uses {@code --backend synthetic} (20 ms of work per
 * word, so a kill can land mid-job) and a 3 s {@code --lease}. A job that was running at the
 * crash runs again as soon as the next server starts, lease or no lease: the server holds its
 * SQLite store exclusively, so whatever is still running at start was left by a dead process
 * (the test of that uses a 10 min lease). Moments are chosen by watching the server (its status,
 * its event stream), never by sleeping.
 */
class CrashRecoveryIT {
    private static final int JOBS = 50;
    /** Words per ordinary job: 160 ms of synthetic work. */
    private static final int WORDS = 8;
    private static final int SAMPLES_PER_WORD = 2_400; // the synthetic backend's 0.1 s at 24 kHz
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final long POLL_PAUSE_MS = 20;
    private static final Pattern LOST = Pattern.compile("job (\\S+) lost its worker");
    private static final Pattern DISCARDED = Pattern.compile("result discarded");

    @TempDir
    Path dir;

    private final List<ServerProcess> processes = new ArrayList<>();

    @AfterEach
    void killEveryProcess() {
        processes.forEach(ServerProcess::close);
    }

    private ServerProcess start() throws Exception {
        return start("3s");
    }

    private ServerProcess start(String lease) throws Exception {
        ServerProcess p = ServerProcess.start(data(), "--backend", "synthetic", "--lease", lease);
        processes.add(p);
        assertEquals("synthetic", p.get("/health").json().get("backend").asText());
        return p;
    }

    private Path data() {
        return dir.resolve("data");
    }

    @Test
    void sigtermKeepsQueuedJobsForTheNextStartAndFinishesTheRunningOne() throws Exception {
        ServerProcess first = start();
        addVoice(first);
        List<String> ids = new ArrayList<>();
        for (int n = 0; n < 20; n++) {
            ids.add(submit(first, text(n, WORDS)));
        }
        JsonNode counts = await("three completed jobs", () -> first.get("/jobs/queue-status").json(),
                q -> q.at("/job_counts/completed").asInt() >= 3);
        assertTrue(counts.at("/job_counts/queued").asInt() >= 5, "jobs are still queued at the stop: " + counts);
        Map<String, String> seen = completedOutputs(first);
        first.stop();
        Instant stoppedAt = Instant.now();

        ServerProcess second = start();
        JsonNode jobs = awaitRecovered(second, Set.copyOf(ids), seen, 0);
        int ranAfterRestart = 0;
        for (JsonNode j : jobs) {
            if (instant(j, "started_at").isBefore(stoppedAt)) {
                assertTrue(instant(j, "completed_at").isBefore(stoppedAt), "a job running at SIGTERM finishes before the exit: " + j);
            } else {
                ranAfterRestart++;
            }
        }
        assertTrue(ranAfterRestart >= 1, "jobs queued at the stop ran after the restart");
        assertEquals(List.of(), second.linesMatching(LOST), "a clean stop leaves no job behind on a lease");
        second.stop();
    }

    @Test
    void killDuringTheSubmitBurstKeepsEveryAcknowledgedJob() throws Exception {
        ServerProcess first = start();
        addVoice(first);
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger acknowledged = new AtomicInteger();
        AtomicInteger threadNo = new AtomicInteger();
        ExecutorService submitters = Executors.newFixedThreadPool(4, r -> new Thread(r, "submitter-" + threadNo.getAndIncrement()));
        List<Future<Boolean>> lostRequest = new ArrayList<>();
        try {
            for (int t = 0; t < 4; t++) {
                // The submitter that gets the 20th answer kills the server while the others are still
                // sending; each stops at its first failed request.
                lostRequest.add(submitters.submit(() -> {
                    for (int n = next.getAndIncrement(); n < JOBS; n = next.getAndIncrement()) {
                        try {
                            accepted.add(submit(first, text(n, WORDS)));
                        } catch (UncheckedIOException e) {
                            return true;
                        }
                        if (acknowledged.incrementAndGet() == 20) {
                            first.kill();
                        }
                    }
                    return false;
                }));
            }
            int inFlight = 0;
            for (Future<Boolean> f : lostRequest) {
                inFlight += f.get(DEADLINE.toSeconds(), TimeUnit.SECONDS) ? 1 : 0;
            }
            assertTrue(acknowledged.get() >= 20, "the server was killed after 20 answers");
            assertTrue(accepted.size() < JOBS, "the kill landed before the burst ended (" + accepted.size() + " acknowledged)");

            ServerProcess second = start();
            for (int n = 1000; accepted.size() < JOBS; n++) {
                accepted.add(submit(second, text(n, WORDS)));
            }
            JsonNode jobs = awaitRecovered(second, accepted, Map.of(), 1);
            assertTrue(jobs.size() - JOBS <= inFlight,
                    "only requests in flight at the kill may have stored a job without an answer: " + jobs.size() + " jobs, " + inFlight + " in flight");
            second.stop();
        } finally {
            submitters.shutdownNow();
        }
    }

    @Test
    void killMidJobRunsThatJobAgainAtTheNextStartWithoutWaitingForItsLease() throws Exception {
        // A lease far longer than the test's 60 s deadline: only recovery at start can pass.
        ServerProcess first = start("10m");
        addVoice(first);
        List<String> ids = new ArrayList<>();
        for (int n = 0; n < JOBS; n++) {
            ids.add(submit(first, text(n, n == 3 ? 100 : WORDS))); // job 3 runs 2 s: long enough to kill it mid-way
        }
        String victim = ids.get(3);
        await("job 3 mid-way", () -> first.get("/jobs/" + victim + "/status").json(),
                s -> s.get("status").asText().equals("processing") && s.get("progress").asDouble() > 0);
        Map<String, String> seen = completedOutputs(first);
        first.kill();

        ServerProcess second = start("10m");
        second.awaitLine(Pattern.compile("job " + victim + " lost its worker \\(still running at start"), Duration.ofSeconds(10));
        awaitRecovered(second, Set.copyOf(ids), seen, 1);
        assertEquals(1, second.linesMatching(LOST).size(), "only the running job was lost: " + second.linesMatching(LOST));
        second.stop();
    }

    @Test
    void aSecondServerOnTheSameDataFolderRefusesToStartAndTheFirstCarriesOn() throws Exception {
        ServerProcess first = start();
        addVoice(first);
        String before = submit(first, text(0, WORDS));

        ServerProcess.Exit second = ServerProcess.startExpectingFailure(data(), "--backend", "synthetic");

        assertEquals(1, second.code(), second.log());
        assertTrue(second.log().contains("Is another server running on the data folder"), second.log());
        assertTrue(second.log().contains("jobs.db"), second.log());
        assertTrue(!second.log().contains("\tat "), "an operator error, not a stack trace: " + second.log());
        String after = submit(first, text(1, WORDS));
        awaitRecovered(first, Set.of(before, after), Map.of(), 0);
        first.stop();
    }

    @Test
    void killRightAfterACompletionKeepsThatResult() throws Exception {
        ServerProcess first = start();
        addVoice(first);
        List<String> ids = new ArrayList<>();
        for (int n = 0; n < JOBS; n++) {
            ids.add(submit(first, text(n, WORDS)));
        }
        String watched = ids.get(20);
        JsonNode completed = awaitEvent(first, watched, "completed");
        first.kill();
        String output = completed.at("/result/output_file_id").asText();
        assertTrue(!output.isEmpty(), completed.toString());

        ServerProcess second = start();
        awaitRecovered(second, Set.copyOf(ids), Map.of(watched, output), 1);
        second.stop();
    }

    // ---- checks -----------------------------------------------------------------------------

    /**
     * Waits until nothing is queued or running, then checks: every job the store holds completed
     * (none lost, failed or cancelled), each accepted id among them, each with its own output that
     * downloads as WAV of the expected length; outputs seen before the stop or crash are unchanged;
     * the output folder holds one file per job plus at most one orphan per crash (a job killed
     * between saving its audio and its completion write), so no job ran to completion twice.
     *
     * @return the jobs the store holds
     */
    private JsonNode awaitRecovered(ServerProcess s, Set<String> accepted, Map<String, String> outputsSeen, int crashes) throws Exception {
        JsonNode queue = await("an idle queue", () -> s.get("/jobs/queue-status").json(),
                q -> q.at("/job_counts/queued").asInt() == 0 && q.at("/job_counts/processing").asInt() == 0);
        JsonNode jobs = allJobs(s, "");
        assertEquals(queue.get("total_jobs").asInt(), jobs.size(), queue.toString());
        assertEquals(jobs.size(), queue.at("/job_counts/completed").asInt(), "every job completed: " + queue);

        Map<String, JsonNode> byId = new HashMap<>();
        Set<String> outputs = new HashSet<>();
        for (JsonNode j : jobs) {
            String id = j.get("job_id").asText();
            assertEquals(null, byId.put(id, j), "listed once: " + id);
            assertEquals("completed", j.get("status").asText(), j.toString());
            String out = j.at("/result/output_file_id").asText();
            assertTrue(outputs.add(out), "output " + out + " belongs to one job only");
            assertEquals(outputsSeen.getOrDefault(id, out), out, "job " + id + " kept the result it had before the restart");
            checkWav(s, j);
        }
        for (String id : accepted) {
            assertTrue(byId.containsKey(id), "acknowledged job " + id + " was kept");
        }
        int files = wavFilesIn(data().resolve("audio/outputs"));
        assertTrue(files >= jobs.size() && files <= jobs.size() + crashes,
                files + " output files for " + jobs.size() + " jobs after " + crashes + " crash(es)");
        assertEquals(List.of(), s.linesMatching(DISCARDED), "no run lost a race for a completion");
        return jobs;
    }

    private static void checkWav(ServerProcess s, JsonNode job) throws Exception {
        JsonNode result = job.get("result");
        HttpResponse<byte[]> r = s.http().send(s.request("/download-audio/" + result.get("output_file_id").asText()).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), job.toString());
        assertEquals("audio/wav", r.headers().firstValue("Content-Type").orElse(""));
        AudioClip clip = WavCodec.decode(r.body());
        int words = result.get("gen_text").asText().split(" ").length;
        assertEquals(24_000, clip.sampleRate());
        assertEquals(words * SAMPLES_PER_WORD, clip.samples().length, job.toString());
        assertEquals(result.get("duration").asDouble(), clip.durationSeconds(), 0.01);
    }

    private static int wavFilesIn(Path folder) throws IOException {
        int n = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*.wav")) {
            for (Path ignored : files) {
                n++;
            }
        }
        return n;
    }

    // ---- talking to the server --------------------------------------------------------------

    private static void addVoice(ServerProcess s) throws Exception {
        TestServer.Reply r = s.postMultipart("/upload-permanent-voice", Map.of("voice_name", "crash", "audio_file", TestServer.wavFile(1)));
        assertEquals(200, r.status(), r.text());
    }

    /** Job {@code n}'s text: {@code words} words, the first two naming it. */
    private static String text(int n, int words) {
        StringBuilder sb = new StringBuilder("job ").append(n);
        for (int i = 2; i < words; i++) {
            sb.append(" word");
        }
        return sb.toString();
    }

    /**
     * Submits a job and returns its id once the server acknowledged it.
     *
     * @throws UncheckedIOException when the request fails on the way (the server died)
     */
    private static String submit(ServerProcess s, String text) throws InterruptedException {
        TestServer.Reply r = s.postJson("/jobs/submit",
                "{\"job_type\":\"tts_permanent\",\"parameters\":{\"voice_name\":\"crash\",\"gen_text\":\"" + text + "\"}}");
        assertEquals(200, r.status(), r.text());
        return r.json().get("job_id").asText();
    }

    /** Every job listed, page after page ({@code filter} ends with {@code &} when given). */
    private static JsonNode allJobs(ServerProcess s, String filter) throws Exception {
        com.fasterxml.jackson.databind.node.ArrayNode all = new com.fasterxml.jackson.databind.ObjectMapper().createArrayNode();
        String cursor = null;
        do {
            JsonNode page = s.get("/jobs?" + filter + "limit=1000" + (cursor == null ? "" : "&cursor=" + cursor)).json();
            all.addAll((com.fasterxml.jackson.databind.node.ArrayNode) page.get("jobs"));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
        } while (cursor != null);
        return all;
    }

    /** Job id to output id of every job completed so far. */
    private static Map<String, String> completedOutputs(ServerProcess s) throws Exception {
        Map<String, String> out = new HashMap<>();
        for (JsonNode j : allJobs(s, "status=completed&")) {
            out.put(j.get("job_id").asText(), j.at("/result/output_file_id").asText());
        }
        return out;
    }

    /** The data of the job's first event named {@code name} on its event stream, as soon as it arrives. */
    private static JsonNode awaitEvent(ServerProcess s, String jobId, String name) throws Exception {
        String data = s.http().sendAsync(s.request("/jobs/" + jobId + "/events").build(), HttpResponse.BodyHandlers.ofLines())
                .thenApply(r -> {
                    try (Stream<String> lines = r.body()) {
                        return dataOf(lines.iterator(), name);
                    }
                }).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        return TestServer.JSON.readTree(data);
    }

    /** Reads server-sent events up to the first one named {@code name}; its data. */
    private static String dataOf(Iterator<String> lines, String name) {
        String event = null;
        String data = null;
        while (lines.hasNext()) {
            String l = lines.next();
            if (l.isEmpty()) {
                if (name.equals(event) && data != null) {
                    return data;
                }
                event = null;
                data = null;
            } else if (l.startsWith("event:")) {
                event = l.substring(6).strip();
            } else if (l.startsWith("data:")) {
                data = l.substring(5).strip();
            }
        }
        throw new AssertionError("the event stream ended without a " + name + " event");
    }

    /**
     * Asks {@code probe} until {@code done} accepts the answer (another process is watched, so it
     * is polled, with a short pause between asks) and returns that answer.
     *
     * @throws AssertionError with the last answer when {@link #DEADLINE} passes first
     */
    private static <T> T await(String what, Callable<T> probe, Predicate<T> done) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            T answer = probe.call();
            if (done.test(answer)) {
                return answer;
            }
            if (System.nanoTime() > deadline) {
                fail("no " + what + " within " + DEADLINE + "; last answer: " + answer);
            }
            TimeUnit.MILLISECONDS.sleep(POLL_PAUSE_MS);
        }
    }

    private static Instant instant(JsonNode job, String field) {
        return OffsetDateTime.parse(job.get(field).asText()).toInstant();
    }
}
