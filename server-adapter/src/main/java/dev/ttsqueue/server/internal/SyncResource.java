package dev.ttsqueue.server.internal;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import dev.ttsqueue.JobHandle;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.spi.AudioEntry;
import dev.ttsqueue.spi.AudioKind;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import org.glassfish.jersey.server.ContainerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The old synchronous endpoints. They go through the same queue as every job (so one job per
 * device still holds) and answer when their job ends; the HTTP thread is released meanwhile.
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
@Singleton
public final class SyncResource {
    private static final Logger log = LoggerFactory.getLogger(SyncResource.class);

    private final ServerContext ctx;
    private final Submissions submissions;

    @Inject
    public SyncResource(ServerContext ctx) {
        this.ctx = ctx;
        this.submissions = new Submissions(ctx);
    }

    @POST
    @Path("tts-generate")
    public void ttsGenerate(byte[] body, @Context ContainerRequest http, @Suspended AsyncResponse response) {
        JsonFields json = JsonFields.parse(ctx.mapper(), body);
        String audioFileId = json.requiredString("audio_file_id");
        String text = json.requiredString("text");
        String refText = json.string("ref_text", "");
        var settings = Submissions.settings(json.object("settings").map(f -> (FieldReader) f).orElseGet(SyncResource::absent));
        json.errors().throwIfAny();
        JobHandle h = submissions.submit(Tenancy.grant(http), JobRequest.ttsGenerate(audioFileId, text).refText(refText).settings(settings),
                MissingReferences.SYNCHRONOUS, null);
        submissions.answerWhenDone(h, response, Submissions.generated("TTS audio generated successfully"),
                "Error generating TTS audio: ", () -> { });
    }

    @POST
    @Path("tts-permanent")
    public void ttsPermanent(byte[] body, @Context ContainerRequest http, @Suspended AsyncResponse response) {
        JsonFields json = JsonFields.parse(ctx.mapper(), body);
        String voice = json.requiredString("voice_name");
        String text = json.requiredString("text");
        String refText = json.string("ref_text", "");
        var settings = Submissions.settings(json.object("settings").map(f -> (FieldReader) f).orElseGet(SyncResource::absent));
        json.errors().throwIfAny();
        JobRequest job = JobRequest.ttsPermanent(VoiceNames.canonical(ctx.tenancy().voices(), Tenancy.grant(http), voice), text).refText(refText).settings(settings);
        JobHandle h = submissions.submit(Tenancy.grant(http), job, MissingReferences.SYNCHRONOUS, voice);
        submissions.answerWhenDone(h, response, Submissions.generated("TTS generated using voice '" + voice + "'"),
                "Error generating TTS: ", () -> { });
    }

    @POST
    @Path("voice-cloning")
    @FormFieldNames(value = {"text", "ref_text", "audio_file", "priority"}, settings = true)
    public void voiceCloning(@Context ContainerRequest request, @Suspended AsyncResponse response) throws IOException {
        JobRequest job;
        AudioEntry upload;
        try (FormFields form = FormFields.read(request, ctx.maxFieldBytes())) {
            String text = form.requiredString("text");
            String refText = form.string("ref_text", "");
            FormFields.Upload file = form.requiredFile("audio_file");
            var settings = Submissions.settings(form);
            int priority = form.integer("priority", 0);
            form.errors().throwIfAny();
            // As the old server did, before the upload is read: no point decoding audio for nothing to say.
            if (!JobRequest.hasSomethingToSay(text)) {
                throw ApiException.badRequest("Text to generate cannot be empty");
            }
            upload = AudioUploads.decode(file, ctx.config().maxUploadBytes(), ctx.tempDir(),
                    clip -> ctx.queue().audioStore().save(AudioKind.UPLOAD, clip, Tenancy.grant(request).tenant()));
            job = JobRequest.voiceCloning(upload.id(), text).refText(refText).settings(settings).priority(priority);
        }
        JobHandle h;
        try {
            h = submissions.submit(Tenancy.grant(request), job);
        } catch (RuntimeException e) {
            deleteQuietly(upload.id());
            throw e;
        }
        submissions.answerWhenDone(h, response, Submissions.generated("Voice cloning completed successfully"),
                "Error in voice cloning: ", () -> deleteQuietly(upload.id()));
    }

    private void deleteQuietly(String uploadId) {
        try {
            ctx.queue().audioStore().delete(uploadId);
        } catch (IOException | RuntimeException e) {
            log.warn("could not delete the voice-cloning reference {}: {}", uploadId, e.toString());
        }
    }

    /** Stands in for an absent {@code settings} object: every field takes its default. */
    private static FieldReader absent() {
        return new FieldReader(java.util.List.of("body", "settings"), new FieldErrors()) {
            @Override
            protected java.util.Optional<Object> raw(String name) {
                return java.util.Optional.empty();
            }
        };
    }
}
