package dev.ttsqueue.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.InvalidRequestException;
import dev.ttsqueue.JobEvent;
import dev.ttsqueue.JobHandle;
import dev.ttsqueue.JobNotFoundException;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.QueueClosedException;
import dev.ttsqueue.ReferenceNotFoundException;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.TtsJobQueue;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.audio.WavCodec;
import dev.ttsqueue.audio.WavFormat;
import dev.ttsqueue.server.ServerConfig;
import dev.ttsqueue.server.TtsServer;
import dev.ttsqueue.testing.SyntheticBackend;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What only a remote queue has: API keys, files, voices, a server that goes away and comes back,
 * a connection that dies silently, and the client's own life cycle. Against the real server on a
 * loopback port (the process restart is {@code ServerRestartIT}'s).
 */
class TtsQueueClientTest {
    private static final long T = QueueFixture.TIMEOUT_S;

    @TempDir
    Path dir;
    private QueueFixture f;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        if (f != null) {
            f.close();
        }
    }

    private QueueFixture start() throws Exception {
        f = QueueFixture.start(QueueFixture.Kind.REMOTE, dir);
        return f;
    }

    private TtsQueueClient client(TtsQueueClient.Builder b) {
        TtsQueueClient c = b.build();
        toClose.add(c);
        return c;
    }

    private static Path wav(Path file, double seconds) throws Exception {
        AudioClip clip = AudioClip.silence(24_000, (int) (seconds * 24_000));
        WavCodec.write(clip, WavFormat.PCM_16, file);
        return file;
    }

    @Test
    void anApiKeyIsSentAndAWrongOneIsAClearError() throws Exception {
        f = QueueFixture.start(QueueFixture.Kind.REMOTE, dir, q -> { }, c -> c.withApiKey("s3cret"), c -> c.apiKey("s3cret"));
        f.backend.releaseAll();
        String ref = f.client.uploadReference(AudioClip.silence(24_000, 2_400));
        JobHandle job = f.client.submit(JobRequest.ttsGenerate(ref, "with the key").refText("ref"));
        assertEquals("with the key", job.result().get(T, TimeUnit.SECONDS).genText());

        TtsQueueClient keyless = client(TtsQueueClient.builder(f.client.baseUrl()));
        ServerResponseException e = assertThrows(ServerResponseException.class, () -> keyless.status(job.id()));
        assertEquals(401, e.statusCode());
        TtsQueueClient wrong = client(TtsQueueClient.builder(f.client.baseUrl()).apiKey("guess"));
        assertEquals(401, assertThrows(ServerResponseException.class, () -> wrong.submit(JobRequest.ttsGenerate(ref, "x"))).statusCode());
    }

    @Test
    void filesAndVoicesGoUpAndOutputsComeDown() throws Exception {
        start();
        f.backend.releaseAll();
        TtsQueueClient c = f.client;
        String ref = c.uploadReference(wav(dir.resolve("ref.wav"), 0.5));
        Files.write(dir.resolve("noise.wav"), "this is not audio at all".getBytes(StandardCharsets.UTF_8));
        InvalidRequestException bad = assertThrows(InvalidRequestException.class, () -> c.uploadReference(dir.resolve("noise.wav")));
        assertTrue(bad.getMessage().startsWith("Invalid audio file"), bad.getMessage());

        assertEquals("myvoice", c.uploadVoice("My Voice!", dir.resolve("ref.wav"), "A transcript."));
        VoiceInfo voice = c.listVoices().stream().filter(v -> v.name().equals("myvoice")).findFirst().orElseThrow();
        assertEquals("A transcript.", voice.refText());
        assertEquals(0.5, voice.durationSeconds(), 0.01);
        SynthesisResult spoken = c.submit(JobRequest.ttsPermanent("My Voice!", "a permanent voice")).result().get(T, TimeUnit.SECONDS);
        assertEquals("myvoice", spoken.voiceName());
        assertTrue(c.deleteVoice("MyVoice"));
        assertFalse(c.deleteVoice("myvoice"), "already gone");
        assertFalse(c.deleteVoice("../myvoice"));

        SynthesisResult r = c.submit(JobRequest.voiceCloning(ref, "downloaded").refText("ref")).result().get(T, TimeUnit.SECONDS);
        Path saved = c.downloadOutput(r.outputFileId(), dir.resolve("out.wav"));
        assertArrayEquals(c.readOutput(r.outputFileId()).samples(), WavCodec.read(saved).samples());
        assertEquals(List.of(saved), listFiles(dir, "out.wav"), "no partial file is left beside it");
        assertThrows(ReferenceNotFoundException.class, () -> c.downloadOutput("no-such-output", dir.resolve("x.wav")));
        assertFalse(Files.exists(dir.resolve("x.wav")));
    }

    private static List<Path> listFiles(Path dir, String prefix) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
        }
    }

    @Test
    void theFutureCompletesWhenTheServerComesBackAfterTheJobEndedWhileItWasAway() throws Exception {
        start();
        int port = f.server.port();
        String ref = f.client.uploadReference(AudioClip.silence(24_000, 2_400));
        JobHandle job = f.client.submit(JobRequest.ttsGenerate(ref, "spoken while nobody listens").refText("ref"));
        EventLog log = new EventLog();
        f.client.subscribe(job.id(), log);
        CompletableFuture<SynthesisResult> result = job.result();
        f.awaitFollowing(log);
        f.awaitSteps(1);

        f.server.close(); // ends the stream; the queue goes on without a server in front of it
        f.backend.releaseAll();
        assertEquals(JobStatus.COMPLETED, awaitStatus(f.embedded, job.id(), JobStatus.COMPLETED));
        assertFalse(result.isDone(), "nothing could tell the client yet");

        try (TtsServer again = TtsServer.start(ServerConfig.defaults().withPort(port), f.embedded)) {
            assertEquals(port, again.port(), "where the client looks for it");
            SynthesisResult r = result.get(T, TimeUnit.SECONDS);
            assertEquals("spoken while nobody listens", r.genText());
            log.await(JobEvent.Kind.COMPLETED);
            assertEquals(1, log.kinds().stream().filter(k -> k == JobEvent.Kind.COMPLETED).count(), log.kinds().toString());
        }
    }

    @Test
    void aJobTheRestartedServerNoLongerKnowsFailsItsFutureWithJobNotFound() throws Exception {
        start();
        int port = f.server.port();
        String ref = f.client.uploadReference(AudioClip.silence(24_000, 2_400));
        JobHandle job = f.client.submit(JobRequest.ttsGenerate(ref, "forgotten").refText("ref"));
        CompletableFuture<SynthesisResult> result = job.result();
        EventLog log = new EventLog();
        f.client.subscribe(job.id(), log);
        f.awaitFollowing(log);
        f.server.close();

        // A new server with a new in-memory queue: what the old one held is gone.
        SyntheticBackend backend = SyntheticBackend.builder().build();
        try (TtsJobQueue fresh = TtsJobQueue.builder().backend(backend).build();
             TtsServer again = TtsServer.start(ServerConfig.defaults().withPort(port), fresh)) {
            assertEquals(port, again.port(), "where the client looks for it");
            JobNotFoundException e = assertInstanceOf(JobNotFoundException.class, failure(result));
            assertEquals(job.id(), e.jobId());
        }
    }

    @Test
    void aServerThatStaysAwayEndsTheWaitWithServerUnavailable() throws Exception {
        f = QueueFixture.start(QueueFixture.Kind.REMOTE, dir, q -> { }, c -> c,
                c -> c.reconnectFor(Duration.ofMillis(300)).reconnectDelay(Duration.ofMillis(20), Duration.ofMillis(50)));
        String ref = f.client.uploadReference(AudioClip.silence(24_000, 2_400));
        JobHandle job = f.client.submit(JobRequest.ttsGenerate(ref, "nobody will know").refText("ref"));
        EventLog log = new EventLog();
        f.client.subscribe(job.id(), log);
        CompletableFuture<SynthesisResult> result = job.result();
        f.awaitFollowing(log);
        f.server.close();
        ServerUnavailableException e = assertInstanceOf(ServerUnavailableException.class, failure(result));
        assertTrue(e.getMessage().contains(job.id()), e.getMessage());
    }

    @Test
    void aStreamThatGoesSilentIsReopened() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            TtsQueueClient c = client(TtsQueueClient.builder(URI.create("http://127.0.0.1:" + silent.getLocalPort()))
                    .silenceTimeout(Duration.ofMillis(200)).reconnectDelay(Duration.ofMillis(10), Duration.ofMillis(10)));
            c.subscribe("job-1", new EventLog());
            for (int attempt = 1; attempt <= 2; attempt++) {
                silent.setSoTimeout((int) TimeUnit.SECONDS.toMillis(T));
                try (Socket s = silent.accept()) {
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                    assertEquals("GET /jobs/job-1/events HTTP/1.1", in.readLine(), "attempt " + attempt);
                    for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                        // the rest of the request's header
                    }
                    OutputStream out = s.getOutputStream();
                    out.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    if (attempt == 1) {
                        // Silent from here on, and open: only the client's silence timeout ends it.
                        assertEquals(-1, in.read(), "the client closes the silent connection");
                    }
                }
            }
        }
    }

    @Test
    void closingTheClientEndsItsWaitsButNotTheJobs() throws Exception {
        start();
        String ref = f.client.uploadReference(AudioClip.silence(24_000, 2_400));
        JobHandle job = f.client.submit(JobRequest.ttsGenerate(ref, "outlives the client").refText("ref"));
        CompletableFuture<SynthesisResult> result = job.result();
        JobHandle notFollowed = f.client.submit(JobRequest.ttsGenerate(ref, "never asked for").refText("ref"));
        f.awaitSteps(1);
        f.client.close();
        assertFalse(f.client.isOpen());
        QueueClosedException e = assertInstanceOf(QueueClosedException.class, failure(result));
        assertTrue(e.getMessage().contains(job.id()), e.getMessage());
        assertThrows(QueueClosedException.class, () -> f.client.status(job.id()));
        assertThrows(QueueClosedException.class, () -> f.client.submit(JobRequest.ttsGenerate(ref, "late").refText("ref")));
        assertInstanceOf(QueueClosedException.class, failure(notFollowed.result()), "asked after the close");
        f.client.close(); // again: harmless

        f.backend.releaseAll();
        TtsQueueClient other = client(TtsQueueClient.builder(f.client.baseUrl()));
        assertEquals("outlives the client", other.handle(job.id()).result().get(T, TimeUnit.SECONDS).genText());
    }

    @Test
    void anUnreachableServerAndABadUrlAreClearErrors() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        TtsQueueClient c = client(TtsQueueClient.builder(URI.create("http://127.0.0.1:" + port)));
        ServerUnavailableException e = assertThrows(ServerUnavailableException.class, c::queueStatus);
        assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
        assertThrows(ServerUnavailableException.class, () -> c.submit(JobRequest.ttsGenerate("abc", "text")));

        assertThrows(IllegalArgumentException.class, () -> TtsQueueClient.create(URI.create("localhost:8000")));
        assertThrows(IllegalArgumentException.class, () -> TtsQueueClient.create(URI.create("ftp://host/")));
        assertThrows(IllegalArgumentException.class, () -> TtsQueueClient.create(URI.create("http://host/?x=1")));
        assertThrows(IllegalArgumentException.class, () -> TtsQueueClient.builder(URI.create("http://host")).apiKey(""));
        assertThrows(IllegalArgumentException.class, () -> TtsQueueClient.builder(URI.create("http://host")).reconnectFor(Duration.ZERO));
        assertThrows(NullPointerException.class, () -> TtsQueueClient.create(null));
    }

    private static JobStatus awaitStatus(TtsJobQueue q, String id, JobStatus wanted) throws Exception {
        CompletableFuture<JobStatus> reached = new CompletableFuture<>();
        q.subscribe(id, e -> {
            if (e.snapshot().status() == wanted) {
                reached.complete(wanted);
            }
        });
        if (q.status(id).status() == wanted) {
            return wanted;
        }
        return reached.get(T, TimeUnit.SECONDS);
    }

    private static Throwable failure(CompletableFuture<?> future) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(T, TimeUnit.SECONDS));
        return e.getCause();
    }
}
