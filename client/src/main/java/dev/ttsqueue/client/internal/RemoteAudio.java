package dev.ttsqueue.client.internal;

import dev.ttsqueue.JobCancelledException;
import dev.ttsqueue.JobFailedException;
import dev.ttsqueue.JobSnapshot;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.client.ServerResponseException;
import dev.ttsqueue.client.ServerUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A job's audio from {@code GET /jobs/{id}/audio-stream}: each subscriber gets its own stream, read
 * on a thread of its own, and pieces as the bytes arrive (as many as it asked for; reading waits
 * for demand). When the stream ends, the job's status says how: completed, failed or cancelled.
 */
public final class RemoteAudio implements Flow.Publisher<AudioClip> {
    private static final int HEADER = 44;

    private final RemoteApi api;
    private final String id;
    private final Function<String, JobSnapshot> status;
    private final ThreadFactory threads;

    public RemoteAudio(RemoteApi api, String id, Function<String, JobSnapshot> status, ThreadFactory threads) {
        this.api = api;
        this.id = id;
        this.status = status;
        this.threads = threads;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super AudioClip> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        Reader reader = new Reader(subscriber);
        threads.newThread(reader::run).start();
    }

    private final class Reader implements Flow.Subscription {
        private final Flow.Subscriber<? super AudioClip> subscriber;
        private final AtomicLong demand = new AtomicLong();
        private final Object waiting = new Object();
        private volatile boolean cancelled;
        private volatile InputStream body;

        Reader(Flow.Subscriber<? super AudioClip> subscriber) {
            this.subscriber = subscriber;
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                cancel();
                subscriber.onError(new IllegalArgumentException("request(" + n + "): demand must be positive"));
                return;
            }
            demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
            synchronized (waiting) {
                waiting.notifyAll();
            }
        }

        @Override
        public void cancel() {
            cancelled = true;
            synchronized (waiting) {
                waiting.notifyAll();
            }
            InputStream in = body;
            if (in != null) {
                try {
                    in.close(); // unblocks a read in progress
                } catch (IOException e) {
                    // nothing more to read anyway
                }
            }
        }

        void run() {
            subscriber.onSubscribe(this);
            try {
                HttpResponse<InputStream> answer = api.send(api.requestWithoutTimeout("jobs/" + PathSegments.encode(id)
                        + "/audio-stream").header("Accept", "audio/wav").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream in = answer.body()) {
                    body = in;
                    if (answer.statusCode() != 200) {
                        subscriber.onError(api.error(answer.statusCode(), in.readAllBytes(), answer, ErrorAnswers.Subject.JOB, id));
                        return;
                    }
                    int rate = header(in.readNBytes(HEADER));
                    byte[] buf = new byte[Math.max(2, rate / 5) * 2]; // about 200 ms of samples at most per piece
                    int carried = -1; // the first byte of a sample whose second byte has not arrived yet
                    while (true) {
                        if (!awaitDemand()) {
                            return;
                        }
                        int start = carried >= 0 ? 1 : 0;
                        if (carried >= 0) {
                            buf[0] = (byte) carried;
                        }
                        int n = in.read(buf, start, buf.length - start);
                        if (n < 0) {
                            break;
                        }
                        int bytes = start + n;
                        int samples = bytes / 2;
                        carried = bytes % 2 == 1 ? buf[bytes - 1] & 0xFF : -1;
                        if (samples > 0) {
                            float[] pcm = new float[samples];
                            ByteBuffer b = ByteBuffer.wrap(buf, 0, samples * 2).order(ByteOrder.LITTLE_ENDIAN);
                            for (int i = 0; i < samples; i++) {
                                pcm[i] = b.getShort() / 32768f;
                            }
                            demand.decrementAndGet();
                            subscriber.onNext(new AudioClip(pcm, rate));
                        }
                    }
                }
                if (!cancelled) {
                    end();
                }
            } catch (IOException e) {
                if (!cancelled) {
                    subscriber.onError(new ServerUnavailableException("The audio stream of job " + id + " broke off: " + e, e));
                }
            } catch (RuntimeException e) {
                if (!cancelled) {
                    subscriber.onError(e);
                }
            }
        }

        /** The stream ended: the job's status says whether it ended with it. */
        private void end() {
            JobSnapshot s = status.apply(id);
            switch (s.status()) {
                case COMPLETED -> subscriber.onComplete();
                case FAILED -> subscriber.onError(new JobFailedException(id, s.error()));
                case CANCELLED -> subscriber.onError(new JobCancelledException(id));
                default -> subscriber.onError(new ServerUnavailableException("The audio stream of job " + id
                        + " ended while the job is " + s.status().wireName() + " (the server stopped?)", null));
            }
        }

        private boolean awaitDemand() {
            synchronized (waiting) {
                while (!cancelled && demand.get() <= 0) {
                    try {
                        waiting.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                }
            }
            return !cancelled;
        }

        /** The sample rate of a streamed WAV header: 16-bit mono PCM, as the server sends. */
        private int header(byte[] h) {
            if (h.length < HEADER || !"RIFF".equals(ascii(h, 0)) || !"WAVE".equals(ascii(h, 8)) || !"fmt ".equals(ascii(h, 12))
                    || !"data".equals(ascii(h, 36))) {
                throw new ServerResponseException(200, "an audio stream that does not start with a WAV header");
            }
            ByteBuffer b = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN);
            if (b.getShort(20) != 1 || b.getShort(22) != 1 || b.getShort(34) != 16) {
                throw new ServerResponseException(200, "an audio stream that is not 16-bit mono PCM");
            }
            return b.getInt(24);
        }
    }

    private static String ascii(byte[] b, int at) {
        return new String(b, at, 4, StandardCharsets.US_ASCII);
    }
}
