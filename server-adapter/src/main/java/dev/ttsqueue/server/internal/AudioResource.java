package dev.ttsqueue.server.internal;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.spi.AudioEntry;
import dev.ttsqueue.spi.AudioKind;
import dev.ttsqueue.spi.AudioStore;
import dev.ttsqueue.spi.Identifiers;
import dev.ttsqueue.spi.Voice;
import dev.ttsqueue.spi.VoiceBank;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.glassfish.jersey.server.ContainerRequest;

/** Uploaded reference audio, generated audio and permanent voices. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
@Singleton
public final class AudioResource {
    private final ServerContext ctx;

    @Inject
    public AudioResource(ServerContext ctx) {
        this.ctx = ctx;
    }

    private AudioStore audio() {
        return ctx.queue().audioStore();
    }

    @POST
    @Path("upload-audio")
    @FormFieldNames("audio_file")
    public Map<String, Object> uploadAudio(@Context ContainerRequest request) throws IOException {
        String owner = Tenancy.grant(request).tenant();
        try (FormFields form = FormFields.read(request, ctx.maxFieldBytes())) {
            FormFields.Upload file = form.requiredFile("audio_file");
            form.errors().throwIfAny();
            AudioEntry entry = AudioUploads.decode(file, ctx.config().maxUploadBytes(), ctx.tempDir(),
                    clip -> audio().save(AudioKind.UPLOAD, clip, owner));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file_id", entry.id());
            m.put("message", "Audio file uploaded successfully");
            m.put("duration", entry.durationSeconds());
            return m;
        }
    }

    /**
     * Stores a permanent voice: in the caller's tenant's own voices, or with {@code shared=true}
     * (admin keys only) among the voices every tenant sees. Without a keys file every voice is shared.
     */
    @POST
    @Path("upload-permanent-voice")
    @FormFieldNames({"voice_name", "audio_file", "ref_text", "shared"})
    public Map<String, Object> uploadVoice(@Context ContainerRequest request) throws IOException {
        TenantKeys.Grant grant = Tenancy.grant(request);
        try (FormFields form = FormFields.read(request, ctx.maxFieldBytes())) {
            String rawName = form.requiredString("voice_name");
            FormFields.Upload file = form.requiredFile("audio_file");
            String refText = form.string("ref_text", "");
            boolean shared = form.bool("shared", false);
            form.errors().throwIfAny();
            AudioUploads.requireAudioType(file); // the old server's first check, before the name's
            String name = Identifiers.normalizeVoiceName(rawName);
            VoiceBank bank = ctx.tenancy().voices().forUpload(grant, shared);
            Voice voice = AudioUploads.decode(file, ctx.config().maxUploadBytes(), ctx.tempDir(),
                    clip -> bank.save(name, clip, refText.trim()));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("voice_name", voice.name());
            m.put("message", "Permanent voice '" + voice.name() + "' uploaded successfully");
            m.put("duration", voice.durationSeconds());
            return m;
        }
    }

    /**
     * The voices the caller sees: the shared ones and, with a keys file, its tenant's own (an
     * admin key: every tenant's), each then with its {@code tenant} (null for a shared voice).
     */
    @GET
    @Path("list-voices")
    public Map<String, Object> listVoices(@Context ContainerRequest http) {
        TenantKeys.Grant grant = Tenancy.grant(http);
        VoiceBank bank = ctx.queue().voiceBank();
        List<Map<String, Object>> voices = new ArrayList<>();
        for (TenantVoices.Listed listed : ctx.tenancy().voices().list(grant)) {
            Voice v = listed.voice();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", v.name());
            m.put("filename", v.filename());
            m.put("duration", v.durationSeconds());
            m.put("ref_text", v.refText());
            if (!grant.tenant().isEmpty()) {
                m.put("tenant", listed.tenant().isEmpty() ? null : listed.tenant());
            }
            voices.add(m);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("voices", voices);
        m.put("total_voices", voices.size());
        m.put("storage_path", bank == null || bank.directory() == null ? null : bank.directory().toString());
        return m;
    }

    /**
     * Deletes one of the caller's own voices; an admin key deletes a shared voice with
     * {@code shared=true} or another tenant's with {@code tenant}. Another tenant's voice, or a
     * shared one asked for without {@code shared=true}, is not found.
     */
    @DELETE
    @Path("voices/{voice_name}")
    public Map<String, Object> deleteVoice(@PathParam("voice_name") String name, @QueryParam("shared") List<String> shared,
            @QueryParam("tenant") String tenant, @Context ContainerRequest http) throws IOException {
        QueryFields q = new QueryFields(Map.of("shared", shared));
        boolean sharedAsked = q.bool("shared", false);
        q.errors().throwIfAny();
        VoiceBank bank = ctx.tenancy().voices().forDelete(Tenancy.grant(http), sharedAsked, tenant);
        // Only a name already in voice-bank form (any case) is accepted: "../alice" must not delete "alice".
        String stored = name.toLowerCase(Locale.ROOT);
        if (!Identifiers.isVoiceName(stored) || !bank.delete(stored)) {
            throw ApiException.notFound("Voice not found");
        }
        return Map.of("message", "Voice '" + stored + "' deleted successfully");
    }

    /**
     * The WAV with its length, so clients show progress and browsers can seek: a {@code Range}
     * request gets 206 with that part (416 when it starts past the end). Stored audio never
     * changes, so the size recorded with it is the size served.
     */
    @GET
    @Path("download-audio/{file_id}")
    @Produces({"audio/wav", MediaType.APPLICATION_JSON})
    public Response download(@PathParam("file_id") String id, @HeaderParam("Range") String range,
            @HeaderParam("If-Range") String ifRange, @Context ContainerRequest http) throws IOException {
        AudioEntry entry = existing(Tenancy.grant(http), id);
        long size = entry.sizeBytes();
        // No validators are sent, so an If-Range can never be known to match: the whole file, as the RFC says.
        ByteRange.Request asked = ifRange != null ? new ByteRange.Whole() : ByteRange.parse(range, size);
        if (asked instanceof ByteRange.Unsatisfiable) {
            return Response.status(416).type(MediaType.APPLICATION_JSON_TYPE).header("Content-Range", "bytes */" + size)
                    .header("Accept-Ranges", "bytes").entity(WireFormat.detail("Range not satisfiable: the file has " + size + " bytes"))
                    .build();
        }
        ByteRange part = asked instanceof ByteRange.Part p ? p.range() : new ByteRange(0, size - 1);
        InputStream in = audio().open(entry.id());
        StreamingOutput body = out -> {
            try (InputStream src = in) {
                src.skipNBytes(part.first());
                copy(src, out, part.length());
            }
        };
        Response.ResponseBuilder r = Response.status(asked instanceof ByteRange.Part ? 206 : 200).entity(body).type("audio/wav");
        if (asked instanceof ByteRange.Part) {
            r.header("Content-Range", "bytes " + part.first() + "-" + part.last() + "/" + size);
        }
        return withDownloadHeaders(r, entry, part.length()).build();
    }

    /** The download's headers, its length included, without opening the file. */
    @HEAD
    @Path("download-audio/{file_id}")
    @Produces({"audio/wav", MediaType.APPLICATION_JSON})
    public Response downloadHead(@PathParam("file_id") String id, @Context ContainerRequest http) {
        AudioEntry entry = existing(Tenancy.grant(http), id);
        return withDownloadHeaders(Response.ok().type("audio/wav"), entry, entry.sizeBytes()).build();
    }

    private static Response.ResponseBuilder withDownloadHeaders(Response.ResponseBuilder r, AudioEntry entry, long length) {
        return r.header("Content-Disposition", "attachment; filename=\"f5tts_audio_" + entry.id() + ".wav\"")
                .header("Accept-Ranges", "bytes")
                .header("Content-Length", length);
    }

    private static void copy(InputStream in, OutputStream out, long n) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long left = n;
        while (left > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (r < 0) {
                throw new EOFException("stored audio shorter than the " + n + " bytes recorded");
            }
            out.write(buf, 0, r);
            left -= r;
        }
    }

    @DELETE
    @Path("audio/{file_id}")
    public Map<String, Object> delete(@PathParam("file_id") String id, @Context ContainerRequest http) throws IOException {
        if (ctx.tenancy().audio(Tenancy.grant(http), id).isEmpty() || !audio().delete(id)) {
            throw ApiException.notFound("Audio file not found");
        }
        return Map.of("message", "Audio file deleted successfully");
    }

    /** The caller's own clips (every clip for an admin, and without keys). */
    @GET
    @Path("list-audio")
    public Map<String, Object> listAudio(@Context ContainerRequest http) {
        TenantKeys.Grant grant = Tenancy.grant(http);
        java.time.Instant now = ctx.clock().instant();
        List<Map<String, Object>> files = new ArrayList<>();
        for (AudioEntry e : audio().list()) {
            if (!grant.sees(e.owner())) {
                continue;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file_id", e.id());
            m.put("exists", !e.isExpired(now));
            m.put("kind", e.kind().name().toLowerCase(Locale.ROOT));
            m.put("duration", e.durationSeconds());
            m.put("expires_at", WireFormat.time(e.expiresAt()));
            files.add(m);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("files", files);
        m.put("total_files", files.size());
        return m;
    }

    /** The clip {@code grant} may see; another tenant's answers exactly as an unknown id. */
    private AudioEntry existing(TenantKeys.Grant grant, String id) {
        Optional<AudioEntry> entry = ctx.tenancy().audio(grant, id);
        if (entry.isEmpty()) {
            throw ApiException.notFound("Audio file not found");
        }
        if (entry.get().isExpired(ctx.clock().instant())) {
            throw ApiException.notFound("Audio file has expired");
        }
        return entry.get();
    }
}
