package dev.ttsqueue.server.internal;

import dev.ttsqueue.InferenceSettings;
import dev.ttsqueue.JobEvent;
import dev.ttsqueue.JobProgress;
import dev.ttsqueue.JobSnapshot;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.spi.AudioEntry;
import dev.ttsqueue.spi.AudioStore;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How the API's values look on the wire: snake_case maps in the old server's field order, and
 * times as ISO-8601 with microseconds and an explicit {@code +00:00} offset (which every Python
 * 3.7+ {@code datetime.fromisoformat} parses, unlike a trailing {@code Z} before 3.11).
 */
public final class WireFormat {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'+00:00'")
            .withZone(ZoneOffset.UTC);

    private WireFormat() {
    }

    public static String time(Instant t) {
        return t == null ? null : TIME.format(t);
    }

    /**
     * The body of {@code GET /jobs/{id}/status} (also the data of every SSE event). {@code tenant}
     * only for a job of a tenant (with a keys file): an anonymous job's JSON is as it always was.
     */
    public static Map<String, Object> status(JobSnapshot s, AudioStore audio) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job_id", s.id());
        m.put("job_type", s.type().wireName());
        m.put("status", s.status().wireName());
        m.put("created_at", time(s.createdAt()));
        m.put("started_at", time(s.startedAt()));
        m.put("completed_at", time(s.completedAt()));
        m.put("result", s.status() == JobStatus.COMPLETED && s.result() != null ? result(s.result(), audio) : null);
        m.put("error", s.error());
        m.put("progress", roundedPercent(s.progress()));
        m.put("estimated_completion", s.status().isTerminal() ? null : time(s.estimatedCompletion()));
        m.put("priority", s.priority());
        m.put("queue_position", s.queuePosition());
        if (!s.tenant().isEmpty()) {
            m.put("tenant", s.tenant());
        }
        return m;
    }

    public static Map<String, Object> progress(JobSnapshot s, JobProgress p, AudioStore audio) {
        Map<String, Object> m = status(s, audio);
        if (p != null) {
            m.put("progress", roundedPercent(p.percent()));
            m.put("estimated_completion", time(p.estimatedCompletion()));
            m.put("steps_done", p.stepsDone());
            m.put("steps_total", p.stepsTotal());
        }
        return m;
    }

    /** An event's SSE name: {@code queued}, {@code started}, {@code progress}, {@code completed}, {@code failed}, {@code cancelled}. */
    public static String eventName(JobEvent.Kind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    private static double roundedPercent(double p) {
        return Math.round(p * 10) / 10.0;
    }

    /** The body of {@code GET /jobs/{id}/result}. */
    public static Map<String, Object> result(SynthesisResult r, AudioStore audio) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("output_file_id", r.outputFileId());
        m.put("output_path", outputPath(r.outputFileId(), audio));
        m.put("ref_text", r.refText());
        m.put("gen_text", r.genText());
        m.put("seed", r.seed());
        if (r.voiceName() != null) {
            m.put("voice_name", r.voiceName());
        }
        m.put("duration", r.durationSeconds());
        m.put("sample_rate", r.sampleRate());
        m.put("backend", r.backend());
        if (r.note() != null) {
            m.put("note", r.note());
        }
        outputDamage(r.outputFileId(), audio).ifPresent(d -> m.put("output_damaged", d));
        return m;
    }

    /** Why the stored output cannot be read, when the store found it damaged at start. */
    private static java.util.Optional<String> outputDamage(String id, AudioStore audio) {
        if (id == null) {
            return java.util.Optional.empty();
        }
        try {
            return audio.damage(id);
        } catch (RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    /** The file on the server for stores that keep files; the download URL path otherwise. */
    private static String outputPath(String id, AudioStore audio) {
        if (id == null) {
            return null;
        }
        try {
            return audio.find(id).map(AudioEntry::path).map(Object::toString).orElse("/download-audio/" + id);
        } catch (RuntimeException e) {
            return "/download-audio/" + id;
        }
    }

    public static Map<String, Object> settings(InferenceSettings s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("randomize_seed", s.randomizeSeed());
        m.put("seed", s.seed());
        m.put("remove_silence", s.removeSilence());
        m.put("speed", s.speed());
        m.put("nfe_step", s.nfeStep());
        m.put("cross_fade_duration", s.crossFadeDuration());
        return m;
    }

    /** {@code {"detail": message}}. */
    public static Map<String, Object> detail(Object message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("detail", message);
        return m;
    }
}
