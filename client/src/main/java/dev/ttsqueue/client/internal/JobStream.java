package dev.ttsqueue.client.internal;

import dev.ttsqueue.JobNotFoundException;
import dev.ttsqueue.TtsQueueException;
import dev.ttsqueue.client.ServerUnavailableException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /jobs/{id}/events}, kept open until its listener says the job is over: when the
 * connection breaks (the server restarts, a proxy drops it, it goes silent) it is opened again,
 * after a pause that doubles per failed attempt, for as long as {@link StreamSettings#reconnectFor}
 * allows. Nothing is replayed: each new stream starts with the job as it stands then, so whatever
 * happened while disconnected is summed up by that first event.
 *
 * <p>Errors that a retry cannot mend end the stream through {@link Listener#onEnd}: 404 (the job
 * is gone), 401 and other client errors. Server errors (5xx, among them 503 while the server stops
 * or has too many streams open) are retried like a broken connection.
 */
final class JobStream {
    private static final Logger log = LoggerFactory.getLogger(JobStream.class);

    /** Receives the stream's events and its end. Called on the HTTP client's and the scheduler's threads. */
    interface Listener {
        void onEvent(SseEvent event);

        /** The stream will not be reopened: {@code why} says what happened. */
        void onEnd(TtsQueueException why);
    }

    private final RemoteApi api;
    private final String jobId;
    private final StreamSettings settings;
    private final ScheduledExecutorService scheduler;
    private final Listener listener;

    // Guarded by this.
    private boolean started;
    private boolean stopped;
    private Connection current;
    private ScheduledFuture<?> pendingRetry;
    private ScheduledFuture<?> watchdog;
    private int failedAttempts;
    private long lastEventNanos;

    JobStream(RemoteApi api, String jobId, StreamSettings settings, ScheduledExecutorService scheduler, Listener listener) {
        this.api = api;
        this.jobId = jobId;
        this.settings = settings;
        this.scheduler = scheduler;
        this.listener = listener;
    }

    synchronized void start() {
        if (started || stopped) {
            return;
        }
        started = true;
        lastEventNanos = System.nanoTime();
        long check = Math.max(10, settings.silenceTimeout().toMillis() / 4);
        try {
            watchdog = scheduler.scheduleWithFixedDelay(this::checkSilence, check, check, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            stopped = true;
            return;
        }
        connect();
    }

    /**
     * Closes the connection and opens no other. Idempotent. An event already being handed over
     * may still reach the listener after this returns; the listener ignores it.
     */
    synchronized void stop() {
        stopped = true;
        if (watchdog != null) {
            watchdog.cancel(false);
        }
        if (pendingRetry != null) {
            pendingRetry.cancel(false);
        }
        if (current != null) {
            current.close();
        }
    }

    private synchronized void connect() {
        if (stopped) {
            return;
        }
        Connection c = new Connection();
        current = c;
        HttpRequest request = api.requestWithoutTimeout("jobs/" + PathSegments.encode(jobId) + "/events")
                .header("Accept", "text/event-stream").GET().build();
        HttpResponse.BodyHandler<byte[]> handler = info -> info.statusCode() == 200
                ? HttpResponse.BodySubscribers.fromLineSubscriber(c.parser, p -> null, StandardCharsets.UTF_8, null)
                : HttpResponse.BodySubscribers.ofByteArray();
        try {
            c.exchange = api.http().sendAsync(request, handler);
        } catch (RuntimeException e) {
            ended(c, e); // retried like a connection that broke at once
            return;
        }
        c.exchange.whenComplete((answer, error) -> {
            if (error != null) {
                ended(c, error);
            } else if (answer.statusCode() != 200) {
                refused(c, answer);
            }
            // a 200's end is reported by its parser
        });
    }

    /** One attempt: its request, its parser, and whether it has ended. */
    private final class Connection {
        final AtomicBoolean ended = new AtomicBoolean();
        final SseLineParser parser = new SseLineParser(e -> event(this, e), () -> lastLineNanos = System.nanoTime(),
                error -> ended(this, error));
        volatile long lastLineNanos = System.nanoTime();
        volatile CompletableFuture<HttpResponse<byte[]>> exchange;

        void close() {
            ended.set(true);
            parser.cancel();
            CompletableFuture<?> x = exchange;
            if (x != null) {
                x.cancel(true);
            }
        }
    }

    private void event(Connection c, SseEvent e) {
        synchronized (this) {
            if (stopped || c != current) {
                return;
            }
            failedAttempts = 0;
            lastEventNanos = System.nanoTime();
        }
        listener.onEvent(e);
    }

    /** The connection broke or the server closed it; {@code error} is null for a clean close. */
    private void ended(Connection c, Throwable error) {
        if (!c.ended.compareAndSet(false, true)) {
            return;
        }
        retryLater(c, error == null ? "the server closed the stream" : error.toString(), error);
    }

    private void refused(Connection c, HttpResponse<byte[]> answer) {
        if (!c.ended.compareAndSet(false, true)) {
            return;
        }
        int status = answer.statusCode();
        if (status >= 500 || status == 408 || status == 429) {
            retryLater(c, "HTTP " + status + " " + ErrorAnswers.detail(api.mapper(), answer.body()), null);
            return;
        }
        TtsQueueException why = status == 404 ? new JobNotFoundException(jobId)
                : api.error(status, answer.body(), answer, ErrorAnswers.Subject.JOB, jobId);
        end(c, why);
    }

    private void end(Connection c, TtsQueueException why) {
        synchronized (this) {
            if (stopped || c != current) {
                return;
            }
            stop();
        }
        listener.onEnd(why);
    }

    private void retryLater(Connection c, String what, Throwable cause) {
        TtsQueueException givenUp = null;
        synchronized (this) {
            if (stopped || c != current) {
                return;
            }
            long silentNanos = System.nanoTime() - lastEventNanos;
            if (silentNanos > settings.reconnectFor().toNanos()) {
                stop();
                givenUp = new ServerUnavailableException("The event stream of job " + jobId + " from " + api.base()
                        + " could not be reopened for " + settings.reconnectFor().toSeconds() + " s (last: " + what
                        + "); the job may still be running: ask TtsQueueClient.handle(\"" + jobId + "\") again", cause);
            } else {
                long delay = Math.min(settings.maxRetryDelay().toMillis(),
                        settings.firstRetryDelay().toMillis() << Math.min(failedAttempts, 20));
                failedAttempts++;
                log.debug("event stream of job {} ended ({}); reopening in {} ms", jobId, what, delay);
                try {
                    pendingRetry = scheduler.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException closing) {
                    stop();
                }
            }
        }
        if (givenUp != null) {
            listener.onEnd(givenUp);
        }
    }

    private void checkSilence() {
        Connection c;
        synchronized (this) {
            c = current;
            if (stopped || c == null || c.ended.get()) {
                return;
            }
        }
        long silentNanos = System.nanoTime() - c.lastLineNanos;
        if (silentNanos > settings.silenceTimeout().toNanos()) {
            c.parser.cancel();
            CompletableFuture<?> x = c.exchange;
            if (x != null) {
                x.cancel(true);
            }
            ended(c, new HttpTimeoutException("no data for " + settings.silenceTimeout().toMillis() + " ms"));
        }
    }
}
