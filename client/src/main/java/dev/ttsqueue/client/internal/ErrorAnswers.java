package dev.ttsqueue.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ttsqueue.InvalidRequestException;
import dev.ttsqueue.JobNotCompletedException;
import dev.ttsqueue.JobNotFoundException;
import dev.ttsqueue.QueueClosedException;
import dev.ttsqueue.QueueFullException;
import dev.ttsqueue.ReferenceNotFoundException;
import dev.ttsqueue.ReferenceTextRequiredException;
import dev.ttsqueue.TtsQueueException;
import dev.ttsqueue.client.ServerResponseException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the server's error answers back into the exceptions the embedded queue throws for the
 * same fault, so that callers handle both alike. The mapping mirrors the server's own (its
 * {@code ErrorMapper}); what a 404 means depends on what was asked, hence {@link Subject}.
 */
public final class ErrorAnswers {
    private static final Pattern NOT_COMPLETED = Pattern.compile("^Job not completed\\. Current status: (\\w+)");
    private static final Pattern QUEUE_SIZE = Pattern.compile("\\((\\d+) jobs waiting\\)");
    private static final int MAX_DETAIL_CHARS = 500;

    /** What the failed request was about: it decides which exception a 404 becomes. */
    public enum Subject {
        /** A job, by id: 404 is {@link JobNotFoundException}. */
        JOB,
        /** A new job naming a reference clip or voice: 404 is {@link ReferenceNotFoundException}. */
        SUBMIT,
        /** A stored clip, by id: 404 is {@link ReferenceNotFoundException}. */
        AUDIO,
        /** Anything else: 404 is a {@link ServerResponseException}. */
        OTHER
    }

    private ErrorAnswers() {
    }

    /**
     * The exception for an error answer.
     *
     * @param subject what the request was about
     * @param id the job or file id it named, or null
     * @param retryAfterSeconds the {@code Retry-After} header, when there was one
     */
    public static TtsQueueException exception(ObjectMapper mapper, int status, byte[] body, Subject subject, String id,
            OptionalLong retryAfterSeconds) {
        String detail = detail(mapper, body);
        switch (status) {
            case 400 -> {
                Matcher m = NOT_COMPLETED.matcher(detail);
                if (m.find()) {
                    try {
                        return new JobNotCompletedException(WireJson.status(m.group(1)));
                    } catch (MalformedAnswerException e) {
                        return new InvalidRequestException(detail);
                    }
                }
                if (detail.startsWith("Reference text is required")) {
                    return new ReferenceTextRequiredException(detail);
                }
                return new InvalidRequestException(detail);
            }
            case 404 -> {
                return switch (subject) {
                    case JOB -> new JobNotFoundException(id);
                    case SUBMIT, AUDIO -> new ReferenceNotFoundException(reason(detail), detail);
                    case OTHER -> new ServerResponseException(status, detail);
                };
            }
            case 413, 422 -> {
                return new InvalidRequestException(detail);
            }
            case 429 -> {
                Matcher m = QUEUE_SIZE.matcher(detail);
                int size = m.find() ? parseIntOrZero(m.group(1)) : 0;
                return new QueueFullException(size, Duration.ofSeconds(Math.max(1, retryAfterSeconds.orElse(1))));
            }
            case 503 -> {
                if (detail.startsWith("Server is shutting down")) {
                    return new QueueClosedException(detail);
                }
                return new ServerResponseException(status, detail);
            }
            default -> {
                return new ServerResponseException(status, detail);
            }
        }
    }

    private static int parseIntOrZero(String digits) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Which reference was missing, from the words the server uses for each. */
    static ReferenceNotFoundException.Reason reason(String detail) {
        String d = detail.toLowerCase(Locale.ROOT);
        if (d.contains("voice")) {
            return ReferenceNotFoundException.Reason.VOICE_NOT_FOUND;
        }
        if (d.contains("expired")) {
            return ReferenceNotFoundException.Reason.AUDIO_FILE_EXPIRED;
        }
        if (d.contains("not found")) {
            return ReferenceNotFoundException.Reason.AUDIO_FILE_NOT_FOUND;
        }
        return null;
    }

    /**
     * The server's message: {@code detail} of a FastAPI-shaped body; for a list of field errors
     * (422), each as {@code location: message}; for any other body, its text, shortened.
     */
    public static String detail(ObjectMapper mapper, byte[] body) {
        if (body == null || body.length == 0) {
            return "(no message)";
        }
        try {
            JsonNode json = mapper.readTree(body);
            JsonNode detail = json == null ? null : json.get("detail");
            if (detail != null && detail.isTextual()) {
                return detail.asText();
            }
            if (detail != null && detail.isArray()) {
                List<String> parts = new ArrayList<>();
                for (JsonNode e : detail) {
                    List<String> loc = new ArrayList<>();
                    e.path("loc").forEach(l -> loc.add(l.asText()));
                    parts.add((loc.isEmpty() ? "" : String.join(".", loc) + ": ") + e.path("msg").asText("invalid"));
                }
                return String.join("; ", parts);
            }
        } catch (IOException notJson) {
            // fall through to the raw text
        }
        String text = new String(body, StandardCharsets.UTF_8).strip();
        return text.length() <= MAX_DETAIL_CHARS ? text : text.substring(0, MAX_DETAIL_CHARS) + "...";
    }
}
