package dev.ttsqueue.server.internal;

import dev.ttsqueue.JobStatus;
import dev.ttsqueue.JobType;

/**
 * Reads the API's names of job types and states ({@code tts_generate}, {@code queued}) back into
 * the queue's enums, refusing others with the old server's 400 messages.
 */
final class WireNames {
    private WireNames() {
    }

    /** The job type named {@code name} (any case, surrounding spaces ignored); 400 {@code Invalid job_type} otherwise. */
    static JobType jobType(String name) {
        for (JobType t : JobType.values()) {
            if (name != null && t.wireName().equalsIgnoreCase(name.trim())) {
                return t;
            }
        }
        throw ApiException.badRequest("Invalid job_type: " + name + ". Must be one of: tts_generate, tts_permanent, voice_cloning");
    }

    /** The state named {@code name} (any case, surrounding spaces ignored); 400 {@code Invalid status} otherwise. */
    static JobStatus status(String name) {
        for (JobStatus s : JobStatus.values()) {
            if (name != null && s.wireName().equalsIgnoreCase(name.trim())) {
                return s;
            }
        }
        throw ApiException.badRequest("Invalid status: " + name + ". Must be one of: queued, processing, completed, failed, cancelled");
    }
}
