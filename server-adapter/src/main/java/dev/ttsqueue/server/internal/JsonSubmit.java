package dev.ttsqueue.server.internal;

import dev.ttsqueue.InferenceSettings;
import dev.ttsqueue.JobHandle;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.JobType;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /jobs/submit}: the old server's JSON submission ({@code job_type}, {@code parameters},
 * {@code priority}) read, checked and queued. Both ways a submission arrives use it: through
 * Jersey ({@link JobsResource}) and straight from Jetty ({@link DirectRoutesHandler}).
 */
final class JsonSubmit {
    private static final Logger log = LoggerFactory.getLogger(JsonSubmit.class);

    private final ServerContext ctx;
    private final Submissions submissions;

    JsonSubmit(ServerContext ctx) {
        this.ctx = ctx;
        this.submissions = new Submissions(ctx);
    }

    /**
     * Queues the job {@code body} describes, for the tenant {@code grant} stands for.
     *
     * @return the answer: {@code job_id}, {@code message}, {@code queue_position}
     * @throws RuntimeException what {@link ErrorMapper} turns into the answer's status and detail
     */
    Map<String, Object> submit(byte[] body, TenantKeys.Grant grant) throws IOException {
        JsonFields json = JsonFields.parse(ctx.mapper(), body);
        String jobType = json.requiredString("job_type");
        if (!json.has("parameters")) {
            json.errors().missing("body", "parameters");
        }
        Optional<JsonFields> params = json.object("parameters");
        int priority = json.integer("priority", 0);
        json.errors().throwIfAny();
        JsonFields p = params.orElseThrow();
        JobType type = WireNames.jobType(jobType);
        String genText = p.string("gen_text", null);
        String refText = p.string("ref_text", "");
        InferenceSettings settings = p.object("inference_settings").map(Submissions::settings).orElse(InferenceSettings.defaults());
        JobRequest request;
        String askedVoice = null;
        ReferencePaths.Resolved copied = null;
        switch (type) {
            case TTS_GENERATE -> {
                String audioFileId = p.string("audio_file_id", null);
                String refPath = p.string("ref_audio_path", null);
                p.errors().throwIfAny();
                requireText(genText, type);
                if (audioFileId == null && refPath != null) {
                    ReferencePaths.Resolved r = ctx.referencePaths().resolve(grant, refPath);
                    audioFileId = r.audioFileId();
                    if (refText.isBlank()) {
                        refText = r.refText();
                    }
                    copied = r.temporary() ? r : null;
                }
                request = JobRequest.ttsGenerate(audioFileId, genText);
            }
            case TTS_PERMANENT -> {
                String voice = p.string("voice_name", null);
                p.errors().throwIfAny();
                requireText(genText, type);
                askedVoice = voice;
                request = JobRequest.ttsPermanent(voice == null ? null : VoiceNames.canonical(ctx.tenancy().voices(), grant, voice), genText);
            }
            case VOICE_CLONING -> {
                String audioFileId = p.string("audio_file_id", null);
                p.errors().throwIfAny();
                requireText(genText, type);
                request = JobRequest.voiceCloning(audioFileId, genText);
            }
            default -> throw new IllegalStateException(type.name());
        }
        request = request.refText(refText).settings(settings).priority(priority);
        JobHandle h;
        try {
            h = submissions.submit(grant, request, MissingReferences.QUEUED, askedVoice);
        } catch (RuntimeException e) {
            deleteCopy(copied);
            throw e;
        }
        if (copied != null) {
            ReferencePaths.Resolved c = copied;
            h.result().whenComplete((r, e) -> deleteCopy(c));
        }
        return submissions.accepted(h);
    }

    /** A missing {@code gen_text} gets the old server's message; the reference is checked where every submission is. */
    private static void requireText(String genText, JobType type) {
        if (genText == null) {
            throw ApiException.badRequest(Submissions.missingParameters(type));
        }
    }

    private void deleteCopy(ReferencePaths.Resolved copy) {
        if (copy == null) {
            return;
        }
        try {
            ctx.queue().audioStore().delete(copy.audioFileId());
        } catch (IOException | RuntimeException e) {
            log.warn("could not delete the reference copy {}: {}", copy.audioFileId(), e.toString());
        }
    }
}
