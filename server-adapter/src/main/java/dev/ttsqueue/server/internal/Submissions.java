package dev.ttsqueue.server.internal;

import dev.ttsqueue.InferenceSettings;
import dev.ttsqueue.JobCancelledException;
import dev.ttsqueue.JobFailedException;
import dev.ttsqueue.JobHandle;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.JobType;
import dev.ttsqueue.ReferenceNotFoundException;
import dev.ttsqueue.SynthesisResult;
import jakarta.ws.rs.container.AsyncResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** Submitting jobs and answering for them: the steps the job endpoints share. */
public final class Submissions {
    private final ServerContext ctx;

    public Submissions(ServerContext ctx) {
        this.ctx = ctx;
    }

    /** The settings fields shared by forms, JSON {@code settings} and {@code inference_settings}. */
    public static InferenceSettings settings(FieldReader r) {
        InferenceSettings d = InferenceSettings.defaults();
        return new InferenceSettings(
                r.bool("randomize_seed", d.randomizeSeed()),
                r.seed("seed", d.seed()),
                r.bool("remove_silence", d.removeSilence()),
                r.number("speed", d.speed()),
                r.integer("nfe_step", d.nfeStep()),
                r.number("cross_fade_duration", d.crossFadeDuration()));
    }

    /**
     * Queues {@code request} like {@link #submit(JobRequest)}; a missing reference is answered 404
     * in the words the old server used at this endpoint ({@code askedVoice}: the voice name as the
     * client sent it, or null).
     */
    JobHandle submit(TenantKeys.Grant grant, JobRequest request, MissingReferences wording, String askedVoice) {
        try {
            return submit(grant, request);
        } catch (ReferenceNotFoundException e) {
            throw wording.answer(e, askedVoice);
        }
    }

    /**
     * Queues {@code request} for {@code grant}'s tenant (the metrics hear of it, or of its refusal,
     * from the queue). While the backend reports its model or vocoder unloaded, jobs are refused
     * with the old server's 503 {@code Models not loaded} instead of being queued to fail. Every
     * endpoint that queues a job comes through here, so every job carries its caller's tenant and
     * counts against its quotas.
     *
     * @throws ApiException 429 when the tenant is past its queued or rate limit
     */
    public JobHandle submit(TenantKeys.Grant grant, JobRequest request) {
        requireReference(request);
        requireOwnAudio(grant, request);
        if (!modelReady()) {
            throw new ApiException(503, "Models not loaded");
        }
        return ctx.queue().submit(ctx.tenancy().admit(grant, request));
    }

    /**
     * The one check that a job names its reference, answered with the old server's 400 for its
     * type (the queue's own check speaks of Java fields, not of the API's parameters).
     */
    private static void requireReference(JobRequest request) {
        String reference = request.type() == JobType.TTS_PERMANENT ? request.voiceName() : request.audioFileId();
        if (reference == null || reference.isBlank()) {
            throw ApiException.badRequest(missingParameters(request.type()));
        }
    }

    /**
     * Another tenant's clip as a reference is refused exactly as an unknown one (the queue's own
     * check, a {@link ReferenceNotFoundException}, answered in each endpoint's words), so that ids
     * cannot be probed across tenants. An admin may use any clip.
     */
    private void requireOwnAudio(TenantKeys.Grant grant, JobRequest request) {
        String id = request.type() == JobType.TTS_PERMANENT ? null : request.audioFileId();
        if (id == null || grant.admin()) {
            return;
        }
        if (ctx.queue().audioStore().find(id).filter(e -> !grant.sees(e.owner())).isPresent()) {
            throw new ReferenceNotFoundException(ReferenceNotFoundException.Reason.AUDIO_FILE_NOT_FOUND, "Audio file not found");
        }
    }

    /** The old server's message for a job without its reference or its {@code gen_text}. */
    static String missingParameters(JobType type) {
        return switch (type) {
            case TTS_GENERATE -> "TTS generate jobs require 'ref_audio_path' and 'gen_text' parameters";
            case TTS_PERMANENT -> "Permanent TTS jobs require 'voice_name' and 'gen_text' parameters";
            case VOICE_CLONING -> "Voice cloning jobs require 'audio_file_id' and 'gen_text' parameters";
        };
    }

    private boolean modelReady() {
        try {
            return ctx.queue().modelState().ready();
        } catch (RuntimeException e) {
            return false; // a backend that cannot say whether it has its model cannot be trusted with a job
        }
    }

    /** {@code {job_id, message, queue_position}}. */
    public Map<String, Object> accepted(JobHandle h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job_id", h.id());
        m.put("message", "Job submitted successfully");
        m.put("queue_position", h.accepted().queuePosition());
        return m;
    }

    /**
     * Answers a suspended request when its job ends: {@code ok} builds the body from the result;
     * a failed job is a 500 whose message is {@code failurePrefix} and the job's error (the old
     * server's {@code "Error generating TTS audio: ..."}), a cancelled one 409, and a job still
     * running after the sync timeout is cancelled and answered 504. {@code always} runs first in
     * every case (the voice-cloning endpoint deletes its upload there).
     */
    public void answerWhenDone(JobHandle h, AsyncResponse response, Function<SynthesisResult, Object> ok, String failurePrefix,
            Runnable always) {
        long timeoutMs = ctx.config().syncTimeout().toMillis();
        response.setTimeoutHandler(r -> {
            h.cancel();
            r.resume(new ApiException(504, "Generation did not finish within " + ctx.config().syncTimeout().toSeconds()
                    + " s; the job was cancelled"));
        });
        response.setTimeout(timeoutMs, TimeUnit.MILLISECONDS);
        java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
        ShutdownHooks.Registration onShutdown = ctx.shutdown().register(() -> {
            // Nobody would collect the result after a restart: the job goes, the client learns why.
            stopping.set(true);
            boolean cancelled;
            try {
                cancelled = h.cancel();
            } catch (RuntimeException e) {
                cancelled = true; // the store failed: still answer rather than leave the client hanging
            }
            if (cancelled) {
                response.resume(shuttingDown());
            } // else it had just finished: the completion below answers with its outcome
        });
        h.result().whenComplete((result, error) -> {
            onShutdown.close();
            Runnable answer = () -> {
                try {
                    always.run();
                } finally {
                    if (error == null) {
                        response.resume(ok.apply(result));
                    } else if (stopping.get() && unwrap(error) instanceof JobCancelledException) {
                        response.resume(shuttingDown()); // the same answer, whichever comes first
                    } else {
                        response.resume(failure(error, failurePrefix));
                    }
                }
            };
            // Off the queue's event thread when a background thread is free; inline when the pool
            // is saturated, so a busy pool can never turn a finished job into a 504.
            try {
                ctx.background().execute(answer);
            } catch (java.util.concurrent.RejectedExecutionException busy) {
                answer.run();
            }
        });
    }

    private static ApiException shuttingDown() {
        return new ApiException(503, "Server is shutting down; the job was cancelled");
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    private static Throwable failure(Throwable error, String failurePrefix) {
        Throwable e = unwrap(error);
        if (e instanceof JobFailedException) {
            return new ApiException(500, failurePrefix + e.getMessage());
        }
        if (e instanceof JobCancelledException) {
            return new ApiException(409, "Generation was cancelled");
        }
        // QueueClosedException (503) and anything unexpected (500) go to the error mapper as they are.
        return e;
    }

    /**
     * The synchronous endpoints' body, {@code {audio_file_id, ref_text, message, seed_used}} (the
     * id is the OUTPUT's), with the old server's {@code message} for the endpoint; a backend's
     * note (FreeTTS does not clone voices) follows it.
     */
    public static Function<SynthesisResult, Object> generated(String message) {
        return r -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("audio_file_id", r.outputFileId());
            m.put("ref_text", r.refText());
            m.put("message", r.note() == null ? message : message + ". " + r.note());
            m.put("seed_used", r.seed());
            m.put("duration", r.durationSeconds());
            return m;
        };
    }
}
