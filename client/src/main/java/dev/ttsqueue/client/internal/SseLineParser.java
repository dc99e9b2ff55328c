package dev.ttsqueue.client.internal;

import java.util.concurrent.Flow;
import java.util.function.Consumer;

/**
 * Reads a {@code text/event-stream} line by line (the HTTP client splits the lines) into
 * {@link SseEvent}s, as the HTML Living Standard's event stream interpretation says: fields
 * {@code event}, {@code data}, {@code id}; a line starting with {@code :} is a comment (the
 * server's keep-alive); a blank line dispatches the event; an event without data is dropped.
 * Runs on the HTTP client's threads; the callbacks must be quick.
 */
final class SseLineParser implements Flow.Subscriber<String> {
    private final Consumer<SseEvent> onEvent;
    private final Runnable onLine;
    private final Consumer<Throwable> onEnd;
    private volatile Flow.Subscription subscription;
    private volatile boolean cancelled;

    private String name;
    private StringBuilder data;
    private String id;
    private boolean firstLine = true;

    /**
     * @param onEvent each complete event
     * @param onLine any line at all, comments included: the stream is alive
     * @param onEnd the stream ended: null when the server closed it, else why it broke
     */
    SseLineParser(Consumer<SseEvent> onEvent, Runnable onLine, Consumer<Throwable> onEnd) {
        this.onEvent = onEvent;
        this.onLine = onLine;
        this.onEnd = onEnd;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (cancelled) {
            s.cancel();
            return;
        }
        s.request(Long.MAX_VALUE); // events are small and few per second; the consumer only queues them
    }

    @Override
    public void onNext(String line) {
        if (cancelled) {
            return;
        }
        onLine.run();
        if (firstLine) {
            firstLine = false;
            if (line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
        }
        if (line.isEmpty()) {
            dispatch();
            return;
        }
        if (line.charAt(0) == ':') {
            return;
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "event" -> name = value;
            case "data" -> {
                if (data == null) {
                    data = new StringBuilder(value);
                } else {
                    data.append('\n').append(value);
                }
            }
            case "id" -> {
                if (value.indexOf('\0') < 0) {
                    id = value;
                }
            }
            default -> {
                // "retry" and unknown fields: reconnection timing is the stream's own policy
            }
        }
    }

    private void dispatch() {
        if (data != null) {
            onEvent.accept(new SseEvent(name == null || name.isEmpty() ? "message" : name, data.toString(), id));
        }
        name = null;
        data = null;
    }

    @Override
    public void onError(Throwable t) {
        onEnd.accept(t);
    }

    @Override
    public void onComplete() {
        onEnd.accept(null);
    }

    /** Stops reading; the HTTP client then closes the connection. No more callbacks follow. */
    void cancel() {
        cancelled = true;
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }
}
