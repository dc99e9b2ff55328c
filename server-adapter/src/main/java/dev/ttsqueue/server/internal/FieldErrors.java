package dev.ttsqueue.server.internal;

import dev.ttsqueue.TtsQueueException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects missing or mistyped fields of one request and turns them into the 422 body FastAPI
 * (pydantic 2) sends: {@code {"detail": [{"type", "loc", "msg", "input"}]}}. All problems of a
 * request are reported at once, as FastAPI does.
 */
public final class FieldErrors {
    private final List<Map<String, Object>> errors = new ArrayList<>();

    public void missing(String location, String field) {
        add("missing", List.of(location, field), "Field required", null);
    }

    public void add(String type, List<Object> loc, String msg, Object input) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("type", type);
        e.put("loc", loc);
        e.put("msg", msg);
        e.put("input", input);
        errors.add(e);
    }

    public boolean isEmpty() {
        return errors.isEmpty();
    }

    /** Throws the collected problems as one 422, if there are any. */
    public void throwIfAny() {
        if (!errors.isEmpty()) {
            throw new Invalid(List.copyOf(errors));
        }
    }

    /** The 422 itself; its {@link #errors()} become the {@code detail} list. */
    public static final class Invalid extends TtsQueueException {
        private static final long serialVersionUID = 1L;
        private final transient List<Map<String, Object>> errors;

        Invalid(List<Map<String, Object>> errors) {
            super("Request validation failed: " + errors.size() + " field error(s)");
            this.errors = errors;
        }

        public List<Map<String, Object>> errors() {
            return errors;
        }
    }
}
