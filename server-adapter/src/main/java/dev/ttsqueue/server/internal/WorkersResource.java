package dev.ttsqueue.server.internal;

import dev.ttsqueue.WorkerActivity;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /workers}: this server's workers and the jobs each runs now,
 * {@code {workers: [{name, running_jobs}], total_workers}}. Workers of other servers sharing the
 * store are not listed; their jobs are among {@code running_jobs} of {@code /jobs/queue-status}.
 */
@Path("/workers")
@Produces(MediaType.APPLICATION_JSON)
@Singleton
public final class WorkersResource {
    private final ServerContext ctx;

    @Inject
    public WorkersResource(ServerContext ctx) {
        this.ctx = ctx;
    }

    @GET
    public Map<String, Object> workers() {
        List<Map<String, Object>> workers = ctx.queue().workerActivity().stream().map(WorkersResource::worker).toList();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("workers", workers);
        m.put("total_workers", workers.size());
        return m;
    }

    private static Map<String, Object> worker(WorkerActivity w) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", w.name());
        m.put("running_jobs", w.runningJobs());
        return m;
    }
}
