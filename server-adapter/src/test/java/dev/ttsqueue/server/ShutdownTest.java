package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.JobStatus;
import dev.ttsqueue.testing.SyntheticBackend;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stopping the server answers the requests still waiting instead of cutting them off after the grace period. */
class ShutdownTest {
    @TempDir
    Path dir;

    private TestServer s;

    @AfterEach
    void stop() {
        if (s != null) {
            s.close();
        }
    }

    @Test
    void waitingSynchronousRequestsAnswer503AndTheirJobsAreCancelledAndEventStreamsEnd() throws Exception {
        SyntheticBackend backend = SyntheticBackend.builder().steps(5).gated().build();
        s = TestServer.builder(dir).backend(backend).start();
        String ref = s.upload();
        CompletableFuture<HttpResponse<String>> running = sync(ref, "running when the server stops");
        assertTrue(backend.awaitStepsEntered(1, 30, TimeUnit.SECONDS));
        String runningJob = s.queue.queueStatus().runningJobs().get(0);
        CompletableFuture<HttpResponse<String>> queued = sync(ref, "still queued when the server stops");
        String queuedJob = awaitQueuedJob();
        CompletableFuture<String> rest = followAfterFirstEvent(runningJob);

        s.server.close();

        for (CompletableFuture<HttpResponse<String>> reply : java.util.List.of(running, queued)) {
            HttpResponse<String> r = reply.get(30, TimeUnit.SECONDS);
            assertEquals(503, r.statusCode(), r.body());
            assertEquals("Server is shutting down; the job was cancelled", TestServer.JSON.readTree(r.body()).get("detail").asText());
        }
        awaitStatus(runningJob, JobStatus.CANCELLED);
        awaitStatus(queuedJob, JobStatus.CANCELLED);
        // The stream ends either way: with the job's own terminal event when the cancellation
        // reached it first, else with the server's goodbye.
        String tail = rest.get(30, TimeUnit.SECONDS);
        assertTrue(tail.contains(": server stopping") || tail.contains("event: cancelled"), tail);
    }

    @Test
    void anEventStreamOfAJobTheShutdownLeavesAloneEndsWithAGoodbye() throws Exception {
        SyntheticBackend backend = SyntheticBackend.builder().steps(5).gated().build();
        s = TestServer.builder(dir).backend(backend).start();
        String ref = s.upload();
        String job = s.submitAsync(ref, "an async job keeps running into the queue's own close", 0);
        assertTrue(backend.awaitStepsEntered(1, 30, TimeUnit.SECONDS));
        CompletableFuture<String> rest = followAfterFirstEvent(job);

        s.server.close();

        String tail = rest.get(30, TimeUnit.SECONDS);
        assertTrue(tail.contains(": server stopping"), tail);
        assertEquals(JobStatus.PROCESSING, s.queue.status(job).status(), "an async job is the queue's to finish, not the server's");
    }

    /**
     * Opens the job's event stream and returns once its first event arrived (the stream is
     * subscribed by then); the future gives everything after it, up to the stream's end.
     */
    private CompletableFuture<String> followAfterFirstEvent(String job) throws Exception {
        HttpResponse<java.util.stream.Stream<String>> events = s.http.send(s.request("/jobs/" + job + "/events").GET().build(),
                HttpResponse.BodyHandlers.ofLines());
        java.util.Iterator<String> lines = events.body().iterator();
        while (lines.hasNext() && !lines.next().startsWith("data:")) {
            // up to the first event's data
        }
        return CompletableFuture.supplyAsync(() -> {
            StringBuilder sb = new StringBuilder();
            lines.forEachRemaining(l -> sb.append(l).append('\n'));
            return sb.toString();
        });
    }

    private CompletableFuture<HttpResponse<String>> sync(String ref, String text) throws Exception {
        String json = TestServer.JSON.writeValueAsString(Map.of("audio_file_id", ref, "text", text));
        return s.http.sendAsync(s.request("/tts-generate").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The second job is in the store once the queue lists it as queued. */
    private String awaitQueuedJob() throws Exception {
        java.util.concurrent.BlockingQueue<String> seen = new java.util.concurrent.LinkedBlockingQueue<>();
        try (var sub = s.queue.addListener(e -> {
            if (e.kind() == dev.ttsqueue.JobEvent.Kind.QUEUED) {
                seen.add(e.jobId());
            }
        })) {
            var listed = s.queue.list(JobStatus.QUEUED, 1);
            if (!listed.isEmpty()) {
                return listed.get(0).id();
            }
            String id = seen.poll(30, TimeUnit.SECONDS);
            assertTrue(id != null, "the second job was never queued");
            return id;
        }
    }

    private void awaitStatus(String job, JobStatus expected) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try (var sub = s.queue.addListener(e -> {
            if (e.jobId().equals(job) && e.snapshot().status() == expected) {
                done.complete(null);
            }
        })) {
            if (s.queue.status(job).status() != expected) {
                done.get(30, TimeUnit.SECONDS);
            }
        }
        assertEquals(expected, s.queue.status(job).status());
    }
}
