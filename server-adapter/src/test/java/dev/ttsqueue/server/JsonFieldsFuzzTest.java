package dev.ttsqueue.server;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ttsqueue.server.internal.FieldErrors;
import dev.ttsqueue.server.internal.JsonFields;
import dev.ttsqueue.server.internal.Submissions;

/**
 * Fuzzes JSON request bodies as {@code /jobs/submit} reads them: any bytes parse into fields or a
 * 422 ({@link FieldErrors.Invalid}), and reading the fields never throws anything else. Seeds in
 * {@code JsonFieldsFuzzTestInputs/}; the {@code fuzz-json} execution runs them, then fuzzes for a short while.
 */
class JsonFieldsFuzzTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @FuzzTest(maxDuration = "10s")
    void parsesOrRefusesEveryBody(byte[] body) {
        try {
            JsonFields json = JsonFields.parse(MAPPER, body);
            json.string("job_type", null);
            json.integer("priority", 0);
            json.object("parameters").ifPresent(p -> {
                p.string("gen_text", null);
                p.string("ref_text", "");
                p.string("audio_file_id", null);
                p.object("inference_settings").ifPresent(Submissions::settings);
            });
            json.object("settings").ifPresent(Submissions::settings);
            json.errors().throwIfAny();
        } catch (FieldErrors.Invalid expected) {
            // a 422: the client's mistake, said clearly
        }
    }
}
