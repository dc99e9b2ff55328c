package dev.ttsqueue.server.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Writes one event stream, an event at a time: each write is waited for, so a client that went
 * away ends the stream at the next write. Events are numbered from 1 ({@code id:}); data is JSON.
 */
final class SseWriter {
    private static final long WRITE_TIMEOUT_SECONDS = 30;

    private final SseEventSink sink;
    private final Sse sse;
    private final ObjectMapper mapper;
    private long lastId;

    SseWriter(SseEventSink sink, Sse sse, ObjectMapper mapper) {
        this.sink = sink;
        this.sse = sse;
        this.mapper = mapper;
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

    boolean isClosed() {
        return sink.isClosed();
    }

    private boolean write(OutboundSseEvent event) throws InterruptedException {
        CompletionStage<?> write;
        try {
            write = sink.send(event);
        } catch (IllegalStateException closed) {
            return false; // Jersey closed the sink when an earlier write failed: the client is gone
        }
        try {
            write.toCompletableFuture().get(WRITE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException | TimeoutException e) {
            return false; // the client went away
        }
    }
}
