package dev.ttsqueue.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which requests the direct routes answer, leaving the rest to Jersey. */
class DirectRoutesHandlerTest {

    @Test
    void anAcceptThatPlainlyTakesJsonIsAnsweredDirectly() {
        assertTrue(DirectRoutesHandler.takesJson(List.of()));
        assertTrue(DirectRoutesHandler.takesJson(List.of("*/*")));
        assertTrue(DirectRoutesHandler.takesJson(List.of("application/json")));
        assertTrue(DirectRoutesHandler.takesJson(List.of("Application/JSON; charset=utf-8")));
        assertTrue(DirectRoutesHandler.takesJson(List.of("text/html, application/*")));
        assertTrue(DirectRoutesHandler.takesJson(List.of("text/plain", "application/json")));
    }

    @Test
    void anythingElseIsLeftToJersey() {
        assertFalse(DirectRoutesHandler.takesJson(List.of("text/html")));
        assertFalse(DirectRoutesHandler.takesJson(List.of("application/xml, text/*")));
        assertFalse(DirectRoutesHandler.takesJson(List.of("application/json;q=0")), "a weight could refuse JSON");
        assertFalse(DirectRoutesHandler.takesJson(List.of("text/html, */*;q=0.8")));
        assertFalse(DirectRoutesHandler.takesJson(List.of("application/jsonx")));
    }

    @Test
    void onlyAPlainJobIdInTheStatusPathIsTaken() {
        assertEquals("01a22fc3-b068-7909-a3ee-c4b02a6d3c4b", DirectRoutesHandler.statusJobId("/jobs/01a22fc3-b068-7909-a3ee-c4b02a6d3c4b/status"));
        assertEquals("job_1", DirectRoutesHandler.statusJobId("/jobs/job_1/status"));
        for (String path : List.of("/jobs//status", "/jobs/status", "/jobs/a/b/status", "/jobs/a.b/status", "/jobs/%61/status",
                "/jobs/a/status/", "/jobs/a/result", "/jobsx/a/status", "/jobs/a/statuses", "/jobs/-a/status")) {
            assertNull(DirectRoutesHandler.statusJobId(path), path);
        }
    }
}
