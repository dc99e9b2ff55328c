package dev.ttsqueue.client;

import dev.ttsqueue.JobQueue;
import dev.ttsqueue.TtsJobQueue;
import dev.ttsqueue.server.ServerConfig;
import dev.ttsqueue.server.TtsServer;
import dev.ttsqueue.spi.VoiceBank;
import dev.ttsqueue.store.DirectoryVoiceBank;
import dev.ttsqueue.testing.SyntheticBackend;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A queue with a gated synthetic backend, used either in this JVM ({@link Kind#EMBEDDED}) or
 * through the real REST server on a loopback port and a {@link TtsQueueClient}
 * ({@link Kind#REMOTE}). Tests written against {@link JobQueue} run on both.
 */
final class QueueFixture implements AutoCloseable {
    static final long TIMEOUT_S = 30;

    enum Kind { EMBEDDED, REMOTE }

    final Kind kind;
    final SyntheticBackend backend;
    final TtsJobQueue embedded;
    final TtsServer server;
    final TtsQueueClient client;

    private QueueFixture(Kind kind, SyntheticBackend backend, TtsJobQueue embedded, TtsServer server, TtsQueueClient client) {
        this.kind = kind;
        this.backend = backend;
        this.embedded = embedded;
        this.server = server;
        this.client = client;
    }

    static QueueFixture start(Kind kind, Path dir) throws IOException {
        return start(kind, dir, q -> { }, c -> c, b -> b);
    }

    /**
     * @param queue changes to the queue's settings
     * @param server changes to the server's settings (remote only)
     * @param client changes to the client's settings (remote only)
     */
    static QueueFixture start(Kind kind, Path dir, Consumer<TtsJobQueue.Builder> queue, UnaryOperator<ServerConfig> server,
            UnaryOperator<TtsQueueClient.Builder> client) throws IOException {
        SyntheticBackend backend = SyntheticBackend.builder().gated().steps(4).streams().nfeSteps(32).build();
        TtsJobQueue.Builder qb = TtsJobQueue.builder().backend(backend).voiceBank(new DirectoryVoiceBank(dir.resolve("voices")))
                .closeGracePeriod(Duration.ofSeconds(5));
        queue.accept(qb);
        TtsJobQueue q = qb.build();
        if (kind == Kind.EMBEDDED) {
            return new QueueFixture(kind, backend, q, null, null);
        }
        TtsServer s;
        try {
            s = TtsServer.start(server.apply(ServerConfig.defaults().withPort(0)), q);
        } catch (IOException | RuntimeException e) {
            q.close();
            throw e;
        }
        TtsQueueClient c = client.apply(TtsQueueClient.builder(URI.create("http://127.0.0.1:" + s.port()))).build();
        return new QueueFixture(kind, backend, q, s, c);
    }

    /** The queue under test: the embedded one, or the client of the server in front of it. */
    JobQueue queue() {
        return kind == Kind.EMBEDDED ? embedded : client;
    }

    /**
     * Returns once events reach {@code log} as they happen. The embedded queue delivers from the
     * moment of subscription; a remote subscription first has to open its stream, whose first
     * event (the job as it stands) says that it is open.
     */
    void awaitFollowing(EventLog log) throws InterruptedException {
        if (kind == Kind.REMOTE) {
            log.await("first event of the stream", l -> !l.isEmpty());
        }
    }

    /** Waits until the running job has entered {@code n} more steps of the gated backend. */
    void awaitSteps(int n) throws InterruptedException {
        if (!backend.awaitStepsEntered(n, TIMEOUT_S, TimeUnit.SECONDS)) {
            throw new AssertionError("the backend did not reach " + n + " more steps");
        }
    }

    @Override
    public void close() {
        backend.releaseAll();
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        embedded.close();
    }
}
