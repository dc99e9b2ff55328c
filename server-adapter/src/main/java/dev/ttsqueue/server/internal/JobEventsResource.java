package dev.ttsqueue.server.internal;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import dev.ttsqueue.JobEvent;
import dev.ttsqueue.JobSnapshot;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.Subscription;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import org.glassfish.jersey.server.ContainerRequest;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /jobs/{id}/events}: a job's life as Server-Sent Events. The first event is the job as
 * it stands when the client connects (so a client that comes late still gets the terminal event),
 * then {@code started}, {@code progress} and one terminal event ({@code completed}, {@code failed}
 * or {@code cancelled}), after which the stream ends. Each event's data is the status JSON.
 *
 * <p>Events are handed from the queue's event thread to a per-stream queue and written by a
 * background thread, so a slow client never holds up the queue's listeners.
 */
@Path("/jobs/{job_id}/events")
@Singleton
public final class JobEventsResource {
    private static final Logger log = LoggerFactory.getLogger(JobEventsResource.class);
    private static final long HEARTBEAT_SECONDS = 15;

    private final ServerContext ctx;

    @Inject
    public JobEventsResource(ServerContext ctx) {
        this.ctx = ctx;
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(@PathParam("job_id") String id, @Context ContainerRequest request, @Context SseEventSink sink, @Context Sse sse) {
        ctx.tenancy().job(Tenancy.grant(request), id); // 404 before the stream opens for an unknown job or another tenant's
        BlockingQueue<Object> pending = new LinkedBlockingQueue<>();
        Subscription subscription = ctx.queue().subscribe(id, pending::add);
        ShutdownHooks.Registration onShutdown = ctx.shutdown().register(() -> pending.add(SERVER_STOPPING));
        try {
            ctx.background().execute(() -> stream(id, pending, subscription, onShutdown, sink, sse));
        } catch (RejectedExecutionException e) {
            subscription.close();
            onShutdown.close();
            throw new ApiException(503, "Too many open event streams; poll /jobs/" + id + "/status instead");
        }
    }

    /** Put in a stream's queue when the server stops: the stream ends at once, not at the next heartbeat. */
    private static final Object SERVER_STOPPING = new Object();

    private void stream(String id, BlockingQueue<Object> pending, Subscription subscription, ShutdownHooks.Registration onShutdown,
            SseEventSink sink, Sse sse) {
        SseWriter out = new SseWriter(sink, sse, ctx.mapper());
        try (subscription; sink) {
            JobSnapshot now = ctx.queue().status(id);
            if (!out.event(initialName(now.status()), WireFormat.status(now, ctx.queue().audioStore()))) {
                return;
            }
            if (now.status().isTerminal()) {
                return;
            }
            double lastProgress = now.progress();
            while (!out.isClosed()) {
                Object next = pending.poll(HEARTBEAT_SECONDS, TimeUnit.SECONDS);
                if (next == SERVER_STOPPING) {
                    out.comment("server stopping");
                    return;
                }
                JobEvent e = (JobEvent) next;
                if (e == null) {
                    if (!out.comment("keep-alive")) {
                        return;
                    }
                    continue;
                }
                if (e.kind() == JobEvent.Kind.PROGRESS && e.progress() != null && e.progress().percent() < lastProgress) {
                    continue; // older than the snapshot sent first
                }
                if (e.progress() != null) {
                    lastProgress = e.progress().percent();
                }
                Map<String, Object> data = WireFormat.progress(e.snapshot(), e.progress(), ctx.queue().audioStore());
                if (!out.event(WireFormat.eventName(e.kind()), data) || e.kind().isTerminal()) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            log.debug("closing the event stream of job {} failed: {}", id, e.toString());
        } catch (RuntimeException e) {
            log.warn("event stream of job {} ended with an error: {}", id, e.toString());
        } finally {
            onShutdown.close();
        }
    }

    /** The name of the first event: the terminal name for a finished job, else what the job is doing. */
    private static String initialName(JobStatus status) {
        return switch (status) {
            case QUEUED -> "queued";
            case PROCESSING -> "progress";
            default -> status.wireName();
        };
    }
}
