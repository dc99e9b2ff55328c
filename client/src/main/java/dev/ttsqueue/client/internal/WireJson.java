package dev.ttsqueue.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ttsqueue.InferenceSettings;
import dev.ttsqueue.JobPage;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.JobSnapshot;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.JobType;
import dev.ttsqueue.QueueStatus;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.client.VoiceInfo;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The REST API's JSON to the core API's records and back. Fields the old F5-TTS server did not
 * send (priority, queue place, duration, workers) read as zero or null, so the client also reads
 * that server's answers.
 */
public final class WireJson {
    private WireJson() {
    }

    /** The body of {@code POST /jobs/submit} for {@code request}. */
    public static ObjectNode submitBody(ObjectMapper mapper, JobRequest request) {
        ObjectNode body = mapper.createObjectNode();
        body.put("job_type", request.type().wireName());
        ObjectNode p = body.putObject("parameters");
        p.put("gen_text", request.text());
        switch (request.type()) {
            case TTS_PERMANENT -> putIfPresent(p, "voice_name", request.voiceName());
            case TTS_GENERATE, VOICE_CLONING -> putIfPresent(p, "audio_file_id", request.audioFileId());
        }
        p.put("ref_text", request.refText());
        settings(p.putObject("inference_settings"), request.settings());
        body.put("priority", request.priority());
        return body;
    }

    private static void putIfPresent(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    private static void settings(ObjectNode node, InferenceSettings s) {
        node.put("randomize_seed", s.randomizeSeed());
        node.put("seed", s.seed());
        node.put("remove_silence", s.removeSilence());
        node.put("speed", s.speed());
        node.put("nfe_step", s.nfeStep());
        node.put("cross_fade_duration", s.crossFadeDuration());
    }

    /**
     * A job from the body of {@code GET /jobs/{id}/status} (also the data of each event).
     * {@code attempts} is 0 and {@code request} is {@code request}: the API sends neither.
     *
     * @throws MalformedAnswerException when a required field is missing or unreadable
     */
    public static JobSnapshot snapshot(JsonNode json, JobRequest request) {
        JobStatus status = status(requiredText(json, "status"));
        JsonNode result = json.get("result");
        return new JobSnapshot(
                requiredText(json, "job_id"),
                type(requiredText(json, "job_type")),
                status,
                json.path("priority").asInt(0),
                time(json, "created_at"),
                time(json, "started_at"),
                time(json, "completed_at"),
                json.path("progress").asDouble(0),
                time(json, "estimated_completion"),
                json.path("queue_position").asInt(0),
                text(json, "error"),
                status == JobStatus.COMPLETED && result != null && result.isObject() ? result(result) : null,
                0,
                request);
    }

    static JobStatus status(String wireName) {
        for (JobStatus s : JobStatus.values()) {
            if (s.wireName().equalsIgnoreCase(wireName.trim())) {
                return s;
            }
        }
        throw new MalformedAnswerException("unknown job status '" + wireName + "'");
    }

    private static JobType type(String wireName) {
        for (JobType t : JobType.values()) {
            if (t.wireName().equalsIgnoreCase(wireName.trim())) {
                return t;
            }
        }
        throw new MalformedAnswerException("unknown job type '" + wireName + "'");
    }

    /** The body of {@code GET /jobs/{id}/result}, or a status's {@code result}. */
    public static SynthesisResult result(JsonNode json) {
        return new SynthesisResult(
                requiredText(json, "output_file_id"),
                json.path("ref_text").asText(""),
                json.path("gen_text").asText(""),
                json.path("seed").asLong(0),
                text(json, "voice_name"),
                json.path("duration").asDouble(0),
                json.path("sample_rate").asInt(0),
                text(json, "backend"),
                text(json, "note"));
    }

    /** The body of {@code GET /jobs/queue-status}. */
    public static QueueStatus queueStatus(JsonNode json) {
        Map<JobStatus, Long> counts = new EnumMap<>(JobStatus.class);
        JsonNode c = json.path("job_counts");
        for (JobStatus s : JobStatus.values()) {
            counts.put(s, c.path(s.wireName()).asLong(0));
        }
        List<String> running = new ArrayList<>();
        JsonNode r = json.get("running_jobs");
        if (r != null && r.isArray()) {
            r.forEach(id -> running.add(id.asText()));
        } else if (text(json, "current_job") != null) {
            running.add(json.get("current_job").asText()); // an old server names one running job only
        }
        return new QueueStatus(json.path("queue_size").asLong(0), json.path("total_jobs").asLong(0), Map.copyOf(counts),
                List.copyOf(running), json.path("workers").asInt(0), 0);
    }

    /** The body of {@code GET /jobs}. */
    public static JobPage page(JsonNode json) {
        JsonNode jobs = json.get("jobs");
        if (jobs == null || !jobs.isArray()) {
            throw new MalformedAnswerException("the job list has no 'jobs' array");
        }
        List<JobSnapshot> list = new ArrayList<>(jobs.size());
        jobs.forEach(j -> list.add(snapshot(j, null)));
        return new JobPage(list, text(json, "next_cursor"));
    }

    /** The entries of {@code GET /list-voices}. */
    public static List<VoiceInfo> voices(JsonNode json) {
        List<VoiceInfo> list = new ArrayList<>();
        json.path("voices").forEach(v -> list.add(new VoiceInfo(requiredText(v, "name"), v.path("filename").asText(""),
                v.path("duration").asDouble(0), v.path("ref_text").asText(""))));
        return List.copyOf(list);
    }

    /** The text of {@code field}; null when it is absent or JSON null. */
    public static String text(JsonNode json, String field) {
        JsonNode n = json.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }

    /** @throws MalformedAnswerException when {@code field} is absent or null */
    public static String requiredText(JsonNode json, String field) {
        String value = text(json, field);
        if (value == null) {
            throw new MalformedAnswerException("the server's answer has no '" + field + "': " + abbreviate(json));
        }
        return value;
    }

    /**
     * An ISO-8601 time: with an offset ({@code +00:00}, {@code Z}) as this server writes it, or
     * without one, read as UTC, as the old server wrote its naive local times.
     */
    static Instant time(JsonNode json, String field) {
        String t = text(json, field);
        if (t == null || t.isEmpty()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException withoutOffset) {
            try {
                return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                throw new MalformedAnswerException("'" + field + "' is not an ISO-8601 time: " + t);
            }
        }
    }

    private static String abbreviate(JsonNode json) {
        String s = String.valueOf(json);
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
