package dev.ttsqueue.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The event-stream rules the parser follows, on lines as the HTTP client hands them over. */
class SseLineParserTest {
    private final List<SseEvent> events = new ArrayList<>();
    private final AtomicInteger lines = new AtomicInteger();
    private final List<Throwable> ends = new ArrayList<>();
    private final SseLineParser parser = new SseLineParser(events::add, lines::incrementAndGet, ends::add);

    private void feed(String... l) {
        parser.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
            }

            @Override
            public void cancel() {
            }
        });
        for (String line : l) {
            parser.onNext(line);
        }
    }

    @Test
    void fieldsCommentsAndBlankLinesMakeEvents() {
        feed("\uFEFF: keep-alive", "event: progress", "id: 7", "data: {\"a\":", "data:1}", "", ":another comment",
                "data: plain", "", "event: no-data", "", "data");
        assertEquals(List.of(new SseEvent("progress", "{\"a\":\n1}", "7"), new SseEvent("message", "plain", "7")), events);
        assertEquals(12, lines.get(), "every line counts as a sign of life, comments included");
    }

    @Test
    void anEventNotEndedByABlankLineIsNotDispatchedAndTheEndIsReported() {
        feed("event: completed", "data: {}");
        parser.onComplete();
        assertEquals(List.of(), events);
        assertEquals(1, ends.size());
        assertNull(ends.get(0), "a clean end");
        IOException broken = new IOException("reset");
        parser.onError(broken);
        assertEquals(broken, ends.get(1));
    }
}
