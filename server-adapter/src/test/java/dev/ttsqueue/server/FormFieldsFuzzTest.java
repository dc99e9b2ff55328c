package dev.ttsqueue.server;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ttsqueue.server.internal.FieldErrors;
import dev.ttsqueue.server.internal.FieldReader;
import dev.ttsqueue.server.internal.Submissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Fuzzes the typed reading of form fields and query parameters (they share {@link FieldReader}):
 * whatever strings arrive in the numeric and boolean fields, reading them records 422 entries or
 * gives values, and never throws (a throw there was a 500: {@code 1e2147483647} once did). Seeds in
 * {@code FormFieldsFuzzTestInputs/}; the {@code fuzz-form} execution runs them, then fuzzes for a short while.
 */
class FormFieldsFuzzTest {
    private static final List<String> FIELDS = List.of("priority", "seed", "nfe_step", "speed", "cross_fade_duration",
            "randomize_seed", "remove_silence", "limit", "max_age_hours");

    @FuzzTest(maxDuration = "10s")
    void readsEveryStringWithoutThrowing(FuzzedDataProvider data) {
        Map<String, String> values = new HashMap<>();
        for (String field : FIELDS) {
            if (data.consumeBoolean()) {
                values.put(field, data.consumeString(64));
            }
        }
        FieldReader form = new FieldReader(List.of("body"), new FieldErrors()) {
            @Override
            protected Optional<Object> raw(String name) {
                return Optional.ofNullable(values.get(name));
            }
        };
        Submissions.settings(form);
        form.integer("priority", 0);
        form.integer("limit", 100);
        form.number("max_age_hours", 24);
        form.seed("seed", -1);
        try {
            form.errors().throwIfAny();
        } catch (FieldErrors.Invalid expected) {
            // a 422: the client's mistake, said clearly
        }
    }
}
