package dev.ttsqueue.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ttsqueue.testing.SyntheticBackend;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobsEndpointsTest {
    @TempDir
    Path dir;
    TestServer s;

    @AfterEach
    void stop() {
        if (s != null) {
            s.close();
        }
    }

    private static Map<String, Object> job(String type, Map<String, Object> params) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job_type", type);
        m.put("parameters", params);
        return m;
    }

    @Test
    void guideFlowUploadSubmitPollResultDownload() throws Exception {
        s = TestServer.builder(dir).start();
        String fileId = s.upload();
        Map<String, Object> form = new LinkedHashMap<>();
        form.put("audio_file_id", fileId);
        form.put("text", "Hello from the queue.");
        form.put("ref_text", "A reference.");
        form.put("randomize_seed", "false");
        form.put("seed", "1234");
        form.put("speed", "1.0");
        TestServer.Reply sub = s.postForm("/jobs/tts-generate-async", form);
        assertEquals(200, sub.status(), sub::toString);
        String jobId = sub.json().get("job_id").asText();
        assertEquals("TTS generation job submitted successfully", sub.json().get("message").asText(), "the old server's words");
        assertTrue(sub.json().has("queue_position"));

        s.awaitFinished(jobId);
        JsonNode st = s.get("/jobs/" + jobId + "/status").json();
        for (String f : new String[] {"job_id", "job_type", "status", "created_at", "started_at", "completed_at", "result",
                "error", "progress", "estimated_completion", "priority", "queue_position"}) {
            assertTrue(st.has(f), f);
        }
        assertEquals("completed", st.get("status").asText());
        assertEquals("tts_generate", st.get("job_type").asText());
        assertEquals(100.0, st.get("progress").asDouble());
        assertTrue(st.get("estimated_completion").isNull());
        assertTrue(st.get("error").isNull());
        assertEquals(0, st.get("queue_position").asInt());
        OffsetDateTime created = OffsetDateTime.parse(st.get("created_at").asText());
        OffsetDateTime completed = OffsetDateTime.parse(st.get("completed_at").asText());
        assertFalse(completed.isBefore(created));

        JsonNode res = s.get("/jobs/" + jobId + "/result").json();
        for (String f : new String[] {"output_file_id", "output_path", "ref_text", "gen_text", "seed"}) {
            assertTrue(res.has(f), f);
        }
        assertFalse(res.has("voice_name"));
        assertEquals("Hello from the queue.", res.get("gen_text").asText());
        assertEquals("A reference.", res.get("ref_text").asText());
        assertEquals(1234, res.get("seed").asLong());
        assertEquals(res, st.get("result"));

        TestServer.Reply wav = s.get("/download-audio/" + res.get("output_file_id").asText());
        assertEquals(200, wav.status());
        try (var in = AudioSystem.getAudioInputStream(new ByteArrayInputStream(wav.body()))) {
            assertTrue(in.getFrameLength() > 0);
        }
    }

    @Test
    void submitEndpointTakesEveryJobType() throws Exception {
        s = TestServer.builder(dir).start();
        String fileId = s.upload();
        s.postMultipart("/upload-permanent-voice", Map.of("voice_name", "anna", "ref_text", "Anna speaks.", "audio_file", TestServer.wavFile(1)));

        Map<String, Object> settings = Map.of("randomize_seed", false, "seed", 7, "speed", 1.2, "nfe_step", 16);
        Map<String, Object> a = job("tts_generate", Map.of("audio_file_id", fileId, "gen_text", "one", "inference_settings", settings));
        a.put("priority", 3);
        TestServer.Reply r1 = s.postJson("/jobs/submit", a);
        assertEquals(200, r1.status(), r1::toString);
        assertEquals("Job submitted successfully", r1.json().get("message").asText());
        String j1 = r1.json().get("job_id").asText();

        String j2 = s.postJson("/jobs/submit", job("tts_permanent", Map.of("voice_name", "Anna", "gen_text", "two"))).json().get("job_id").asText();
        String j3 = s.postJson("/jobs/submit", job("voice_cloning", Map.of("audio_file_id", fileId, "gen_text", "three"))).json().get("job_id").asText();
        for (String j : List.of(j1, j2, j3)) {
            s.awaitFinished(j);
            assertEquals("completed", s.get("/jobs/" + j + "/status").json().get("status").asText(), j);
        }
        JsonNode st1 = s.get("/jobs/" + j1 + "/status").json();
        assertEquals(3, st1.get("priority").asInt());
        assertEquals(7, st1.get("result").get("seed").asLong());
        JsonNode r2 = s.get("/jobs/" + j2 + "/result").json();
        assertEquals("anna", r2.get("voice_name").asText());
        assertEquals("Anna speaks.", r2.get("ref_text").asText(), "the voice's transcript fills an empty ref_text");
        assertEquals("voice_cloning", s.get("/jobs/" + j3 + "/status").json().get("job_type").asText());
    }

    @Test
    void submitMissingParametersGiveTheOldMessages() throws Exception {
        s = TestServer.builder(dir).start();
        assertEquals("TTS generate jobs require 'ref_audio_path' and 'gen_text' parameters",
                s.postJson("/jobs/submit", job("tts_generate", Map.of("gen_text", "x"))).detail());
        assertEquals("TTS generate jobs require 'ref_audio_path' and 'gen_text' parameters",
                s.postJson("/jobs/submit", job("tts_generate", Map.of("audio_file_id", "abc"))).detail());
        assertEquals("Permanent TTS jobs require 'voice_name' and 'gen_text' parameters",
                s.postJson("/jobs/submit", job("tts_permanent", Map.of("gen_text", "x"))).detail());
        assertEquals("Voice cloning jobs require 'audio_file_id' and 'gen_text' parameters",
                s.postJson("/jobs/submit", job("voice_cloning", Map.of("gen_text", "x"))).detail());
        TestServer.Reply bad = s.postJson("/jobs/submit", job("sing", Map.of("gen_text", "x")));
        assertEquals(400, bad.status());
        assertTrue(bad.detail().startsWith("Invalid job_type"), bad.detail());
        assertEquals(404, s.postJson("/jobs/submit", job("voice_cloning", Map.of("audio_file_id", "nope", "gen_text", "x"))).status());
        assertEquals(404, s.postJson("/jobs/submit", job("tts_permanent", Map.of("voice_name", "ghost", "gen_text", "x"))).status());
    }

    @Test
    void malformedBodiesAre422() throws Exception {
        s = TestServer.builder(dir).start();
        TestServer.Reply missing = s.postJson("/jobs/submit", Map.of("priority", 1));
        assertEquals(422, missing.status());
        List<String> fields = new ArrayList<>();
        missing.json().get("detail").forEach(e -> fields.add(e.get("loc").get(1).asText()));
        assertEquals(List.of("job_type", "parameters"), fields);

        TestServer.Reply mistyped = s.postJson("/jobs/submit", Map.of("job_type", "tts_generate", "parameters", Map.of(), "priority", "high"));
        assertEquals(422, mistyped.status());
        JsonNode e = mistyped.json().get("detail").get(0);
        assertEquals("int_parsing", e.get("type").asText());
        assertEquals("priority", e.get("loc").get(1).asText());
        assertNotNull(e.get("msg"));

        TestServer.Reply notJson = s.postJson("/jobs/submit", "{not json");
        assertEquals(422, notJson.status());
        assertEquals("json_invalid", notJson.json().get("detail").get(0).get("type").asText());

        TestServer.Reply formMissing = s.postForm("/jobs/tts-generate-async", Map.of("text", "hi"));
        assertEquals(422, formMissing.status());
        assertEquals("audio_file_id", formMissing.json().get("detail").get(0).get("loc").get(1).asText());

        TestServer.Reply badBool = s.postForm("/jobs/tts-generate-async", Map.of("audio_file_id", "x", "text", "hi", "remove_silence", "maybe"));
        assertEquals(422, badBool.status());
        assertEquals("bool_parsing", badBool.json().get("detail").get(0).get("type").asText());
        TestServer.Reply badFloat = s.postForm("/jobs/tts-generate-async", Map.of("audio_file_id", "x", "text", "hi", "speed", "fast"));
        assertEquals("float_parsing", badFloat.json().get("detail").get(0).get("type").asText());
    }

    @Test
    void repeatedFieldsTakeTheirLastValueAsFastApiDoes() throws Exception {
        s = TestServer.builder(dir).start();
        String id = s.upload();
        TestServer.Reply encoded = s.send(s.request("/jobs/tts-generate-async")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("audio_file_id=" + id + "&text=hi&priority=1&priority=7")).build());
        assertEquals(200, encoded.status(), encoded::toString);
        assertEquals(7, s.get("/jobs/" + encoded.json().get("job_id").asText() + "/status").json().get("priority").asInt());

        // The last value counts even when it is blank: then the field takes its default.
        TestServer.Reply blankLast = s.send(s.request("/jobs/tts-generate-async")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("audio_file_id=" + id + "&text=hi&priority=7&priority=")).build());
        assertEquals(200, blankLast.status(), blankLast::toString);
        assertEquals(0, s.get("/jobs/" + blankLast.json().get("job_id").asText() + "/status").json().get("priority").asInt());

        String boundary = "----repeated";
        StringBuilder body = new StringBuilder();
        for (String[] field : new String[][] {{"audio_file_id", id}, {"text", "first"}, {"priority", "2"}, {"text", "second"}, {"priority", "5"}}) {
            body.append("--").append(boundary).append("\r\n")
                    .append("Content-Disposition: form-data; name=\"").append(field[0]).append("\"\r\n\r\n")
                    .append(field[1]).append("\r\n");
        }
        body.append("--").append(boundary).append("--\r\n");
        TestServer.Reply multipart = s.send(s.request("/jobs/tts-generate-async")
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body.toString())).build());
        assertEquals(200, multipart.status(), multipart::toString);
        String job = multipart.json().get("job_id").asText();
        assertEquals(5, s.get("/jobs/" + job + "/status").json().get("priority").asInt());
        s.awaitFinished(job);
        assertEquals("second", s.get("/jobs/" + job + "/result").json().get("gen_text").asText());

        TestServer.Reply listed = s.get("/jobs?limit=1&limit=2");
        assertEquals(200, listed.status(), listed::toString);
        assertEquals(2, listed.json().get("jobs").size(), "the last limit counts");
    }

    @Test
    void jsonBodiesWithAnythingAfterTheValueAre422() throws Exception {
        s = TestServer.builder(dir).start();
        String id = s.upload();
        String valid = "{\"job_type\": \"tts_generate\", \"parameters\": {\"audio_file_id\": \"" + id + "\", \"gen_text\": \"hi\"}}";
        assertEquals(200, s.postJson("/jobs/submit", valid + " \n").status(), "trailing white space is fine");
        for (String trailing : List.of(" x", "{}", ", 1")) {
            TestServer.Reply r = s.postJson("/jobs/submit", valid + trailing);
            assertEquals(422, r.status(), () -> trailing + ": " + r);
            assertEquals("json_invalid", r.json().get("detail").get(0).get("type").asText(), r::toString);
        }
        assertEquals(1, s.get("/jobs/queue-status").json().get("total_jobs").asInt(), "no refused body made a job");
    }

    @Test
    void integersWithHugeExponentsAre422NotServerErrors() throws Exception {
        s = TestServer.builder(dir).start();
        String id = s.upload();
        // "1e999999999" is short but names a number with a billion digits: expanding it must not be tried.
        TestServer.Reply form = s.postForm("/jobs/tts-generate-async", Map.of("audio_file_id", id, "text", "hi", "priority", "1e999999999"));
        assertEquals(422, form.status(), form::toString);
        assertEquals("priority", form.json().get("detail").get(0).get("loc").get(1).asText());
        TestServer.Reply json = s.postJson("/jobs/submit", "{\"job_type\":\"tts_generate\",\"parameters\":{\"audio_file_id\":\""
                + id + "\",\"gen_text\":\"x\"},\"priority\":1e999999999}");
        assertEquals(422, json.status(), json::toString);
        // A seed beyond any range means "draw one", as for every other out-of-range seed.
        TestServer.Reply seed = s.postForm("/jobs/tts-generate-async", Map.of("audio_file_id", id, "text", "hi", "seed", "-1e999999999"));
        assertEquals(200, seed.status(), seed::toString);
    }

    @Test
    void emptyOptionalFormFieldsTakeTheirDefaults() throws Exception {
        // A browser form sends every input, blank ones as "": FastAPI treats those as absent.
        s = TestServer.builder(dir).start();
        String id = s.upload();
        Map<String, Object> f = new LinkedHashMap<>(Map.of("audio_file_id", id, "text", "hi"));
        for (String name : List.of("ref_text", "seed", "speed", "nfe_step", "randomize_seed", "remove_silence", "cross_fade_duration", "priority")) {
            f.put(name, "");
        }
        TestServer.Reply encoded = s.postForm("/jobs/tts-generate-async", f);
        assertEquals(200, encoded.status(), encoded::toString);
        TestServer.Reply multipart = s.postMultipart("/jobs/tts-generate-async", f);
        assertEquals(200, multipart.status(), multipart::toString);
        s.awaitFinished(multipart.json().get("job_id").asText());
        JsonNode result = s.get("/jobs/" + multipart.json().get("job_id").asText() + "/result").json();
        assertEquals("hi", result.get("gen_text").asText());

        // A blank required field is missing, as FastAPI reports it.
        TestServer.Reply blankRequired = s.postForm("/jobs/tts-generate-async", Map.of("audio_file_id", "", "text", "hi"));
        assertEquals(422, blankRequired.status(), blankRequired::toString);
        assertEquals("missing", blankRequired.json().get("detail").get(0).get("type").asText());
        assertEquals("audio_file_id", blankRequired.json().get("detail").get(0).get("loc").get(1).asText());
    }

    @Test
    void rangeChecksAre400WithTheOldMessages() throws Exception {
        s = TestServer.builder(dir).start();
        String id = s.upload();
        Map<String, String[]> cases = Map.of(
                "Speed must be between 0.3 and 2.0", new String[] {"speed", "2.5"},
                "NFE steps must be between 4 and 64", new String[] {"nfe_step", "65"},
                "Cross-fade duration must be between 0.0 and 1.0", new String[] {"cross_fade_duration", "-0.1"});
        for (var c : cases.entrySet()) {
            Map<String, Object> f = new LinkedHashMap<>(Map.of("audio_file_id", id, "text", "hi"));
            f.put(c.getValue()[0], c.getValue()[1]);
            TestServer.Reply r = s.postForm("/jobs/tts-generate-async", f);
            assertEquals(400, r.status(), c.getKey());
            assertEquals(c.getKey(), r.detail());
        }
        TestServer.Reply empty = s.postForm("/jobs/tts-generate-async", Map.of("audio_file_id", id, "text", "   "));
        assertEquals(400, empty.status());
        assertEquals("Text to generate cannot be empty", empty.detail());
    }

    @Test
    void nonAsciiTextSurvivesEveryBodyKind() throws Exception {
        s = TestServer.builder(dir).start();
        String fileId = s.upload();
        String text = "你好，世界 — Grüße, ça va?";
        String viaForm = s.postForm("/jobs/tts-generate-async", Map.of("audio_file_id", fileId, "text", text)).json().get("job_id").asText();
        String viaMultipart = s.postMultipart("/jobs/tts-generate-async", Map.of("audio_file_id", fileId, "text", text)).json().get("job_id").asText();
        String viaJson = s.postJson("/jobs/submit", job("tts_generate", Map.of("audio_file_id", fileId, "gen_text", text))).json().get("job_id").asText();
        for (String id : List.of(viaForm, viaMultipart, viaJson)) {
            s.awaitFinished(id);
            assertEquals(text, s.get("/jobs/" + id + "/result").json().get("gen_text").asText(), id);
        }
    }

    @Test
    void textLongerThanTheLimitIs400() throws Exception {
        s = TestServer.builder(dir).queue(q -> q.maxTextLength(20)).start();
        TestServer.Reply r = s.postForm("/jobs/tts-generate-async", Map.of("audio_file_id", s.upload(), "text", "x".repeat(21)));
        assertEquals(400, r.status());
        assertTrue(r.detail().startsWith("Text is too long"), r.detail());
    }

    @Test
    void booleansAcceptEveryOldSpelling() throws Exception {
        s = TestServer.builder(dir).start();
        String id = s.upload();
        for (String word : new String[] {"true", "FALSE", "1", "0", "yes", "No", "on", "OFF"}) {
            Map<String, Object> f = Map.of("audio_file_id", id, "text", "hi", "randomize_seed", word, "remove_silence", word);
            assertEquals(200, s.postForm("/jobs/tts-generate-async", f).status(), word);
        }
        // A fixed seed is used as given; an out-of-range one draws a random seed, reported back.
        String fixed = s.postForm("/jobs/tts-generate-async", Map.of("audio_file_id", id, "text", "hi", "randomize_seed", "off", "seed", "42"))
                .json().get("job_id").asText();
        String huge = s.postForm("/jobs/tts-generate-async", Map.of("audio_file_id", id, "text", "hi", "randomize_seed", "off", "seed", "99999999999999999999"))
                .json().get("job_id").asText();
        s.awaitFinished(fixed);
        s.awaitFinished(huge);
        assertEquals(42, s.get("/jobs/" + fixed + "/result").json().get("seed").asLong());
        long drawn = s.get("/jobs/" + huge + "/result").json().get("seed").asLong();
        assertTrue(drawn >= 0 && drawn <= Integer.MAX_VALUE, "seed " + drawn);
    }

    @Test
    void resultBeforeCompletionAndUnknownJobs() throws Exception {
        SyntheticBackend gated = SyntheticBackend.builder().gated().build();
        s = TestServer.builder(dir).backend(gated).start();
        String fileId = s.upload();
        String running = s.submitAsync(fileId, "first", 0);
        assertTrue(gated.awaitStepsEntered(1, 10, TimeUnit.SECONDS));
        String queued = s.submitAsync(fileId, "second", 0);
        TestServer.Reply r = s.get("/jobs/" + queued + "/result");
        assertEquals(400, r.status());
        assertEquals("Job not completed. Current status: queued", r.detail());
        assertEquals("Job not completed. Current status: processing", s.get("/jobs/" + running + "/result").detail());
        JsonNode st = s.get("/jobs/" + queued + "/status").json();
        assertEquals("queued", st.get("status").asText());
        assertEquals(1, st.get("queue_position").asInt());
        assertTrue(st.get("result").isNull());
        assertEquals(running, s.get("/jobs/queue-status").json().get("current_job").asText());

        TestServer.Reply unknown = s.get("/jobs/00000000-0000-0000-0000-000000000000/status");
        assertEquals(404, unknown.status());
        assertEquals("Job not found", unknown.detail());
        assertEquals(404, s.get("/jobs/nope/result").status());
        gated.releaseAll();
    }

    @Test
    void laterHighPriorityJobRunsBeforeEarlierLowOnes() throws Exception {
        SyntheticBackend gated = SyntheticBackend.builder().steps(1).gated().build();
        s = TestServer.builder(dir).backend(gated).start();
        String fileId = s.upload();
        String blocker = s.submitAsync(fileId, "blocker", 0);
        assertTrue(gated.awaitStepsEntered(1, 10, TimeUnit.SECONDS));
        String low1 = s.submitAsync(fileId, "low one", 0);
        String low2 = s.submitAsync(fileId, "low two", 0);
        String high = s.submitAsync(fileId, "high", 5);
        assertEquals(1, s.get("/jobs/" + high + "/status").json().get("queue_position").asInt());
        assertEquals(2, s.get("/jobs/" + low1 + "/status").json().get("queue_position").asInt());
        assertEquals(3, s.get("/jobs/" + low2 + "/status").json().get("queue_position").asInt());
        gated.releaseAll();
        for (String j : List.of(blocker, low1, low2, high)) {
            s.awaitFinished(j);
        }
        assertEquals(List.of("blocker", "high", "low one", "low two"), gated.order());
        OffsetDateTime highStart = OffsetDateTime.parse(s.get("/jobs/" + high + "/status").json().get("started_at").asText());
        OffsetDateTime lowStart = OffsetDateTime.parse(s.get("/jobs/" + low1 + "/status").json().get("started_at").asText());
        assertFalse(highStart.isAfter(lowStart));
    }

    @Test
    void hundredConcurrentSubmitsAreAllAcceptedAndCompleted() throws Exception {
        s = TestServer.builder(dir).start();
        String fileId = s.upload();
        List<java.util.concurrent.CompletableFuture<java.net.http.HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String body = TestServer.JSON.writeValueAsString(job("voice_cloning", Map.of("audio_file_id", fileId, "gen_text", "job " + i)));
            calls.add(s.http.sendAsync(s.request("/jobs/submit").header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(), java.net.http.HttpResponse.BodyHandlers.ofString()));
        }
        List<String> ids = new ArrayList<>();
        for (var c : calls) {
            var r = c.get(60, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), r.body());
            ids.add(TestServer.JSON.readTree(r.body()).get("job_id").asText());
        }
        assertEquals(100, ids.stream().distinct().count());
        for (String id : ids) {
            s.awaitFinished(id);
        }
        JsonNode q = s.get("/jobs/queue-status").json();
        assertEquals(100, q.get("job_counts").get("completed").asInt());
        assertEquals(0, q.get("queue_size").asInt());
        assertEquals(1, s.backend.maxConcurrent(), "one job at a time on the single worker");
    }

    @Test
    void cancelThroughTheApi() throws Exception {
        SyntheticBackend gated = SyntheticBackend.builder().gated().build();
        s = TestServer.builder(dir).backend(gated).start();
        String fileId = s.upload();
        String running = s.submitAsync(fileId, "running", 0);
        assertTrue(gated.awaitStepsEntered(1, 10, TimeUnit.SECONDS));
        String queued = s.submitAsync(fileId, "queued", 0);

        TestServer.Reply c1 = s.delete("/jobs/" + queued);
        assertEquals(200, c1.status(), c1::toString);
        assertEquals("cancelled", c1.json().get("status").asText());
        assertEquals("cancelled", s.get("/jobs/" + queued + "/status").json().get("status").asText());

        TestServer.Reply c2 = s.delete("/jobs/" + running);
        assertEquals(200, c2.status());
        s.awaitFinished(running);
        assertEquals("cancelled", s.get("/jobs/" + running + "/status").json().get("status").asText());
        assertEquals(List.of("running"), gated.order(), "the queued job never started");

        TestServer.Reply again = s.delete("/jobs/" + queued);
        assertEquals(409, again.status());
        assertEquals("Job already finished. Current status: cancelled", again.detail());
        assertEquals(404, s.delete("/jobs/00000000-0000-0000-0000-000000000000").status());
        assertEquals(2, s.get("/jobs/queue-status").json().get("job_counts").get("cancelled").asInt());
    }

    @Test
    void listJobsByStatusWithLimit() throws Exception {
        s = TestServer.builder(dir).start();
        String fileId = s.upload();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(s.submitAsync(fileId, "list " + i, 0));
        }
        ids.forEach(s::awaitFinished);
        String failed = s.submitAsync(fileId, "this one " + SyntheticBackend.FAIL_MARKER, 0);
        s.awaitFinished(failed);
        JsonNode all = s.get("/jobs").json();
        assertEquals(4, all.get("count").asInt());
        assertEquals(failed, all.get("jobs").get(0).get("job_id").asText(), "newest first");
        JsonNode done = s.get("/jobs?status=completed&limit=2").json();
        assertEquals(2, done.get("jobs").size());
        done.get("jobs").forEach(j -> assertEquals("completed", j.get("status").asText()));
        JsonNode f = s.get("/jobs?status=failed").json().get("jobs").get(0);
        assertEquals("failed", f.get("status").asText());
        assertTrue(f.get("error").asText().contains("synthetic failure"), f.toString());
        assertEquals(400, s.get("/jobs?status=sleeping").status());
        assertEquals(422, s.get("/jobs?limit=many").status());
        assertEquals(400, s.get("/jobs?limit=0").status());
        assertEquals(400, s.get("/jobs?limit=1001").status(), "pages are bounded");
        assertTrue(all.get("next_cursor").isNull(), "one page holds them all");

        // Pages: the cursor of one page leads to the next, newest first, each job once.
        List<String> paged = new ArrayList<>();
        JsonNode page = s.get("/jobs?limit=3").json();
        page.get("jobs").forEach(j -> paged.add(j.get("job_id").asText()));
        String cursor = page.get("next_cursor").asText();
        JsonNode last = s.get("/jobs?limit=3&cursor=" + cursor).json();
        last.get("jobs").forEach(j -> paged.add(j.get("job_id").asText()));
        assertTrue(last.get("next_cursor").isNull(), "the last page says so");
        List<String> newestFirst = new ArrayList<>(List.of(failed));
        for (int i = ids.size() - 1; i >= 0; i--) {
            newestFirst.add(ids.get(i));
        }
        assertEquals(newestFirst, paged);
        TestServer.Reply bad = s.get("/jobs?cursor=not-a-cursor!");
        assertEquals(400, bad.status());
        assertTrue(bad.text().contains("cursor"), bad.text());
    }

    @Test
    void cleanupRemovesOldFinishedJobs() throws Exception {
        s = TestServer.builder(dir).start();
        String id = s.submitAsync(s.upload(), "old", 0);
        s.awaitFinished(id);
        JsonNode keep = s.send(s.request("/jobs/cleanup").POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build()).json();
        assertEquals("Cleaned up 0 old jobs", keep.get("message").asText());
        assertEquals(0, keep.get("cleaned_count").asInt());
        JsonNode now = s.send(s.request("/jobs/cleanup?max_age_hours=0").POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build()).json();
        assertEquals("Cleaned up 1 old jobs", now.get("message").asText());
        assertEquals(1, now.get("cleaned_count").asInt());
        assertEquals(404, s.get("/jobs/" + id + "/status").status());
        assertEquals(422, s.send(s.request("/jobs/cleanup?max_age_hours=soon").POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build()).status());
        assertEquals(400, s.send(s.request("/jobs/cleanup?max_age_hours=-1").POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build()).status());
    }

    @Test
    void fullQueueAnswers429WithRetryAfter() throws Exception {
        SyntheticBackend gated = SyntheticBackend.builder().gated().build();
        s = TestServer.builder(dir).backend(gated).queue(q -> q.maxQueueSize(2)).start();
        String fileId = s.upload();
        s.submitAsync(fileId, "running", 0);
        assertTrue(gated.awaitStepsEntered(1, 10, TimeUnit.SECONDS));
        s.submitAsync(fileId, "q1", 0);
        s.submitAsync(fileId, "q2", 0);
        TestServer.Reply r = s.postForm("/jobs/tts-generate-async", Map.of("audio_file_id", fileId, "text", "one too many"));
        assertEquals(429, r.status());
        assertTrue(Long.parseLong(r.header("Retry-After")) >= 1);
        assertTrue(r.detail().contains("full"), r.detail());
        assertTrue(s.get("/metrics").text().lines().anyMatch(l -> l.startsWith("ttsq_jobs_rejected_total") && l.endsWith(" 1.0")));
        gated.releaseAll();
    }

    @Test
    void asyncPermanentAndCloningForms() throws Exception {
        s = TestServer.builder(dir).start();
        s.postMultipart("/upload-permanent-voice", Map.of("voice_name", "bob", "audio_file", TestServer.wavFile(1)));
        TestServer.Reply p = s.postForm("/jobs/tts-permanent-async", Map.of("voice_name", "bob", "text", "by voice", "priority", "2"));
        assertEquals(200, p.status(), p::toString);
        // A browser sends FormData as multipart; FastAPI's Form takes both.
        TestServer.Reply c = s.postMultipart("/jobs/voice-cloning-async", Map.of("audio_file_id", s.upload(), "text", "cloned", "nfe_step", "8"));
        assertEquals(200, c.status(), c::toString);
        String pj = p.json().get("job_id").asText();
        String cj = c.json().get("job_id").asText();
        s.awaitFinished(pj);
        s.awaitFinished(cj);
        assertEquals("tts_permanent", s.get("/jobs/" + pj + "/status").json().get("job_type").asText());
        assertEquals(2, s.get("/jobs/" + pj + "/status").json().get("priority").asInt());
        assertEquals("bob", s.get("/jobs/" + pj + "/result").json().get("voice_name").asText());
        assertEquals("completed", s.get("/jobs/" + cj + "/status").json().get("status").asText());
        assertEquals(404, s.postForm("/jobs/tts-permanent-async", Map.of("voice_name", "nobody", "text", "x")).status());
    }
}
