package dev.ttsqueue.server.internal;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import dev.ttsqueue.InferenceSettings;
import dev.ttsqueue.JobHandle;
import dev.ttsqueue.JobPage;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.JobSnapshot;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.QueueStatus;
import dev.ttsqueue.SynthesisResult;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.glassfish.jersey.server.ContainerRequest;

/** The job queue endpoints: submit, status, result, queue status, cleanup, cancel, list. */
@Path("/jobs")
@Produces(MediaType.APPLICATION_JSON)
@Singleton
public final class JobsResource {

    private final ServerContext ctx;
    private final Submissions submissions;
    private final JsonSubmit jsonSubmit;

    @Inject
    public JobsResource(ServerContext ctx) {
        this.ctx = ctx;
        this.submissions = new Submissions(ctx);
        this.jsonSubmit = new JsonSubmit(ctx);
    }

    @POST
    @Path("submit")
    public Map<String, Object> submit(byte[] body, @Context ContainerRequest http) throws IOException {
        return jsonSubmit.submit(body, Tenancy.grant(http));
    }

    @POST
    @Path("tts-generate-async")
    @FormFieldNames(value = {"audio_file_id", "text", "ref_text", "priority"}, settings = true)
    public Map<String, Object> ttsGenerateAsync(@Context ContainerRequest request) {
        try (FormFields form = FormFields.read(request, ctx.maxFieldBytes())) {
            String audioFileId = form.requiredString("audio_file_id");
            String text = form.requiredString("text");
            JobRequest job = JobRequest.ttsGenerate(audioFileId, text);
            return submitForm(request, form, job, null, "TTS generation job submitted successfully");
        }
    }

    @POST
    @Path("tts-permanent-async")
    @FormFieldNames(value = {"voice_name", "text", "ref_text", "priority"}, settings = true)
    public Map<String, Object> ttsPermanentAsync(@Context ContainerRequest request) {
        try (FormFields form = FormFields.read(request, ctx.maxFieldBytes())) {
            String voice = form.requiredString("voice_name");
            String text = form.requiredString("text");
            JobRequest job = JobRequest.ttsPermanent(VoiceNames.canonical(ctx.tenancy().voices(), Tenancy.grant(request), voice), text);
            return submitForm(request, form, job, voice, "Permanent voice TTS job submitted successfully");
        }
    }

    @POST
    @Path("voice-cloning-async")
    @FormFieldNames(value = {"audio_file_id", "text", "ref_text", "priority"}, settings = true)
    public Map<String, Object> voiceCloningAsync(@Context ContainerRequest request) {
        try (FormFields form = FormFields.read(request, ctx.maxFieldBytes())) {
            String audioFileId = form.requiredString("audio_file_id");
            String text = form.requiredString("text");
            return submitForm(request, form, JobRequest.voiceCloning(audioFileId, text), null, "Voice cloning job submitted successfully");
        }
    }

    /**
     * The fields every async form has besides its reference and text. The answer carries the old
     * server's message for the endpoint ({@code /jobs/submit} keeps "Job submitted successfully").
     */
    private Map<String, Object> submitForm(ContainerRequest http, FormFields form, JobRequest base, String askedVoice, String message) {
        String refText = form.string("ref_text", "");
        InferenceSettings settings = Submissions.settings(form);
        int priority = form.integer("priority", 0);
        form.errors().throwIfAny();
        JobHandle h = submissions.submit(Tenancy.grant(http), base.refText(refText).settings(settings).priority(priority), MissingReferences.QUEUED, askedVoice);
        Map<String, Object> answer = new LinkedHashMap<>(submissions.accepted(h));
        answer.put("message", message);
        return answer;
    }

    @GET
    @Path("{job_id}/status")
    public Map<String, Object> status(@PathParam("job_id") String id, @Context ContainerRequest http) {
        return WireFormat.status(ctx.tenancy().job(Tenancy.grant(http), id), ctx.queue().audioStore());
    }

    @GET
    @Path("{job_id}/result")
    public Map<String, Object> result(@PathParam("job_id") String id, @Context ContainerRequest http) {
        ctx.tenancy().job(Tenancy.grant(http), id);
        SynthesisResult r = ctx.queue().result(id);
        if (r == null) {
            // Completed, yet its result was not kept (a store that lost it): the old server's answer.
            throw ApiException.notFound("Job result not found");
        }
        return WireFormat.result(r, ctx.queue().audioStore());
    }

    @GET
    @Path("queue-status")
    public Map<String, Object> queueStatus() {
        QueueStatus s = ctx.queue().queueStatus();
        Map<String, Object> counts = new LinkedHashMap<>();
        for (JobStatus st : JobStatus.values()) {
            counts.put(st.wireName(), s.count(st));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("queue_size", s.queueSize());
        m.put("total_jobs", s.totalJobs());
        m.put("job_counts", counts);
        m.put("current_job", s.currentJob());
        m.put("running_jobs", s.runningJobs());
        m.put("workers", s.workers());
        return m;
    }

    @POST
    @Path("cleanup")
    public Map<String, Object> cleanup(@QueryParam("max_age_hours") List<String> maxAgeHours) {
        QueryFields q = new QueryFields(Map.of("max_age_hours", maxAgeHours));
        double hours = q.number("max_age_hours", 24);
        q.errors().throwIfAny();
        if (!(hours >= 0) || hours > 1_000_000) {
            throw ApiException.badRequest("max_age_hours must be between 0 and 1000000");
        }
        int n = ctx.queue().cleanup(Duration.ofMillis(Math.round(hours * 3_600_000)));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("message", "Cleaned up " + n + " old jobs");
        m.put("cleaned_count", n);
        return m;
    }

    @DELETE
    @Path("{job_id}")
    public Map<String, Object> cancel(@PathParam("job_id") String id, @Context ContainerRequest http) {
        ctx.tenancy().job(Tenancy.grant(http), id);
        boolean cancelled = ctx.queue().cancel(id);
        JobSnapshot s = ctx.queue().status(id);
        if (!cancelled) {
            throw new ApiException(409, "Job already finished. Current status: " + s.status().wireName());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job_id", id);
        m.put("status", s.status().wireName());
        m.put("message", s.status() == JobStatus.CANCELLED ? "Job cancelled"
                : "Cancellation requested; the job stops at its next step");
        return m;
    }

    /**
     * One page of jobs, newest first: {@code {jobs, count, next_cursor}}. {@code next_cursor} is
     * null on the last page; passed back as {@code cursor}, it gives the next one. A page costs
     * the same however many jobs the queue holds. A tenant's page holds its own jobs only, and may
     * hold fewer than {@code limit} before the end (see {@link Tenancy#list}).
     */
    @GET
    public Map<String, Object> list(@QueryParam("status") List<String> statuses, @QueryParam("limit") List<String> limits,
            @QueryParam("cursor") List<String> cursors, @Context ContainerRequest http) {
        QueryFields q = new QueryFields(Map.of("status", statuses, "limit", limits, "cursor", cursors));
        String status = q.string("status", "");
        int limit = q.integer("limit", 100);
        String cursor = q.string("cursor", "");
        q.errors().throwIfAny();
        JobStatus filter = status.isBlank() ? null : WireNames.status(status);
        JobPage page = ctx.tenancy().list(Tenancy.grant(http), filter, limit, cursor.isEmpty() ? null : cursor);
        List<Map<String, Object>> jobs = page.jobs().stream().map(s -> WireFormat.status(s, ctx.queue().audioStore())).toList();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("jobs", jobs);
        m.put("count", jobs.size());
        m.put("next_cursor", page.nextCursor());
        return m;
    }
}
