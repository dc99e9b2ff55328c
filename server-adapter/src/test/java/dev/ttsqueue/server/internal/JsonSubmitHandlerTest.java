package dev.ttsqueue.server.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which {@code Accept} headers the direct submit path answers, leaving the rest to Jersey's negotiation. */
class JsonSubmitHandlerTest {

    @Test
    void anAcceptThatPlainlyTakesJsonIsAnsweredDirectly() {
        assertTrue(JsonSubmitHandler.takesJson(List.of()));
        assertTrue(JsonSubmitHandler.takesJson(List.of("*/*")));
        assertTrue(JsonSubmitHandler.takesJson(List.of("application/json")));
        assertTrue(JsonSubmitHandler.takesJson(List.of("Application/JSON; charset=utf-8")));
        assertTrue(JsonSubmitHandler.takesJson(List.of("text/html, application/*")));
        assertTrue(JsonSubmitHandler.takesJson(List.of("text/plain", "application/json")));
    }

    @Test
    void anythingElseIsLeftToJersey() {
        assertFalse(JsonSubmitHandler.takesJson(List.of("text/html")));
        assertFalse(JsonSubmitHandler.takesJson(List.of("application/xml, text/*")));
        assertFalse(JsonSubmitHandler.takesJson(List.of("application/json;q=0")), "a weight could refuse JSON");
        assertFalse(JsonSubmitHandler.takesJson(List.of("text/html, */*;q=0.8")));
        assertFalse(JsonSubmitHandler.takesJson(List.of("application/jsonx")));
    }
}
