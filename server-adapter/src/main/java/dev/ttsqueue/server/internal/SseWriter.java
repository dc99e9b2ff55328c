package dev.ttsqueue.server.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one event stream, an event at a time, in the calling thread: Jersey's sink writes to the
 * connection before {@code send} returns, so a client that went away ends the stream at the next
 * write. Events are numbered from 1 ({@code id:}); data is JSON.
 *
 * <p>A write blocks only when the connection's buffers are full (the client reads nothing). It
 * tells when it started ({@link #writingSince()}), so {@link EventStreams} can cut off a client
 * that takes none of it within the write timeout; should the sink ever complete its writes later
 * than {@code send} returns, the wait for it is bounded by the same timeout. Used by one thread at
 * a time (its stream's drain).
 */
final class SseWriter {
    private static final Logger log = LoggerFactory.getLogger(SseWriter.class);

    private final SseEventSink sink;
    private final Sse sse;
    private final ObjectMapper mapper;
    private final long writeTimeoutNanos;
    private long lastId;
    /** {@link System#nanoTime()} when the write in progress started; 0 when none is. */
    private volatile long writingSince;
    /** {@link System#nanoTime()} when the last write ended, or when the stream was made. */
    private volatile long lastWrite = System.nanoTime();

    SseWriter(SseEventSink sink, Sse sse, ObjectMapper mapper, long writeTimeoutNanos) {
        this.sink = sink;
        this.sse = sse;
        this.mapper = mapper;
        this.writeTimeoutNanos = writeTimeoutNanos;
    }

    /** Writes an event; false when the client is gone. */
    boolean event(String name, Map<String, Object> data) throws InterruptedException {
        String json;
        try {
            json = mapper.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        OutboundSseEvent event = sse.newEventBuilder().id(Long.toString(++lastId)).name(name)
                .mediaType(MediaType.APPLICATION_JSON_TYPE).data(String.class, json).build();
        return write(event);
    }

    /** Writes a comment line (a keep-alive, or a word on why the stream ends); false when the client is gone. */
    boolean comment(String text) throws InterruptedException {
        return write(sse.newEventBuilder().comment(text).build());
    }

    /** When the write in progress started ({@link System#nanoTime()}), 0 when none is. */
    long writingSince() {
        return writingSince;
    }

    /** When the last write ended ({@link System#nanoTime()}), or when this writer was made. */
    long lastWrite() {
        return lastWrite;
    }

    /** Ends the response; a client already gone is no error. */
    void close() {
        try {
            sink.close();
        } catch (IOException | RuntimeException e) {
            log.debug("closing an event stream failed: {}", e.toString());
        }
    }

    private boolean write(OutboundSseEvent event) throws InterruptedException {
        long start = System.nanoTime();
        writingSince = start == 0 ? 1 : start;
        try {
            CompletionStage<?> write;
            try {
                write = sink.send(event);
            } catch (IllegalStateException closed) {
                return false; // Jersey closed the sink when an earlier write failed: the client is gone
            }
            try {
                write.toCompletableFuture().get(writeTimeoutNanos, TimeUnit.NANOSECONDS);
                return true;
            } catch (ExecutionException | TimeoutException e) {
                return false; // the client went away, or takes nothing
            }
        } finally {
            lastWrite = System.nanoTime();
            writingSince = 0;
        }
    }
}
