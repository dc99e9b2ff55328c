package dev.ttsqueue.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.JobEvent;
import dev.ttsqueue.JobHandle;
import dev.ttsqueue.JobProgress;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.audio.AudioClip;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real server as its own process, on its durable SQLite store, killed or stopped in the
 * middle of a job and started again on the same port and data folder: the client's future still
 * completes, with the job's result, once. Uses {@code --backend synthetic} (20 ms of work per
 * word) so that the job is still running when the server goes.
 */
class ServerRestartIT {
    private static final long T = 90;
    private static final int WORDS = 150;
    /** 3 s of synthetic work, so the server goes while the job runs. */
    private static final String LONG_TEXT = "word ".repeat(WORDS).strip();

    @TempDir
    Path dir;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private ServerProcess server(int port) throws Exception {
        ServerProcess p = ServerProcess.start(port, dir.resolve("data"), "--backend", "synthetic", "--lease", "3s");
        toClose.add(p);
        return p;
    }

    /** Submits the long job and returns once it runs and the client follows it. */
    private JobHandle runningJob(TtsQueueClient client, EventLog log, CompletableFuture<JobProgress> firstProgress) throws Exception {
        String ref = client.uploadReference(AudioClip.silence(24_000, 12_000));
        JobHandle job = client.submit(JobRequest.ttsGenerate(ref, LONG_TEXT).refText("A reference."));
        job.onProgress(firstProgress::complete);
        client.subscribe(job.id(), log);
        firstProgress.get(T, TimeUnit.SECONDS);
        return job;
    }

    @Test
    void theFutureCompletesAfterTheServerIsKilledMidJobAndStartedAgain() throws Exception {
        ServerProcess first = server(0);
        TtsQueueClient client = TtsQueueClient.create(first.baseUrl());
        toClose.add(client);
        EventLog log = new EventLog();
        CompletableFuture<JobProgress> firstProgress = new CompletableFuture<>();
        JobHandle job = runningJob(client, log, firstProgress);
        CompletableFuture<SynthesisResult> result = job.result();

        first.kill();
        assertFalse(result.isDone(), "the job was running when the server died");
        server(first.port());

        SynthesisResult r = result.get(T, TimeUnit.SECONDS);
        assertEquals(LONG_TEXT, r.genText());
        // The server's synthetic tone lasts 0.1 s per word: the whole job's audio, from the run after the restart.
        assertEquals(WORDS * 0.1, client.readOutput(r.outputFileId()).durationSeconds(), 0.01);
        log.await(JobEvent.Kind.COMPLETED);
        assertEquals(1, log.kinds().stream().filter(JobEvent.Kind::isTerminal).count(), log.kinds().toString());
        assertEquals(JobEvent.Kind.COMPLETED, log.kinds().get(log.kinds().size() - 1));
    }

    @Test
    void theFutureCompletesWhenTheJobEndedDuringAGracefulStop() throws Exception {
        ServerProcess first = server(0);
        TtsQueueClient client = TtsQueueClient.create(first.baseUrl());
        toClose.add(client);
        EventLog log = new EventLog();
        CompletableFuture<JobProgress> firstProgress = new CompletableFuture<>();
        JobHandle job = runningJob(client, log, firstProgress);
        CompletableFuture<SynthesisResult> result = job.result();

        // SIGTERM ends the event streams first, then lets the running job finish before the exit.
        first.stop();
        assertFalse(result.isDone(), "the stream ended before the job did, so nobody could tell the client");
        server(first.port());

        SynthesisResult r = result.get(T, TimeUnit.SECONDS);
        assertEquals(LONG_TEXT, r.genText());
        assertTrue(log.await("the end", l -> l.stream().anyMatch(e -> e.kind().isTerminal())).size() > 0);
        assertEquals(JobEvent.Kind.COMPLETED, log.kinds().get(log.kinds().size() - 1));
    }
}
