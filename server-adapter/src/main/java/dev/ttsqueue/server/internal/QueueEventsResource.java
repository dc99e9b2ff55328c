package dev.ttsqueue.server.internal;

import dev.ttsqueue.JobEvent;
import dev.ttsqueue.Subscription;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import org.glassfish.jersey.server.ContainerRequest;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /jobs/events}: every job's events on one stream, for dashboards. Events are named as
 * on a job's own stream ({@code queued}, {@code started}, {@code progress}, {@code completed},
 * {@code failed}, {@code cancelled}) and carry the same data (the job's status JSON, with
 * {@code job_id}); the stream starts with what happens from the moment it opens (a client reads
 * the state so far from {@code GET /jobs} and {@code GET /jobs/queue-status}) and runs until the
 * client leaves or the server stops.
 *
 * <p>Each stream has its own bounded {@link EventBacklog} fed by one queue listener, and its own
 * writing thread: a slow client holds up neither the queue nor other clients. One that falls
 * {@link #BACKLOG_EVENTS} events behind is told so in a comment and its stream ends; a browser's
 * {@code EventSource} then reconnects, and the client reloads the state.
 */
@Path("/jobs/events")
@Singleton
public final class QueueEventsResource {
    private static final Logger log = LoggerFactory.getLogger(QueueEventsResource.class);
    private static final long HEARTBEAT_SECONDS = 15;
    /** Events a stream may have waiting before it counts as too slow (progress is coalesced per job first). */
    public static final int BACKLOG_EVENTS = 1024;

    private final ServerContext ctx;

    @Inject
    public QueueEventsResource(ServerContext ctx) {
        this.ctx = ctx;
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(@Context ContainerRequest request, @Context SseEventSink sink, @Context Sse sse) {
        EventBacklog backlog = new EventBacklog(ctx.eventBacklog());
        TenantKeys.Grant grant = Tenancy.grant(request);
        // A tenant's stream carries its own jobs only; an admin's (and a server without keys) every job.
        Subscription subscription = ctx.queue().addListener(e -> {
            if (grant.sees(e.snapshot().tenant())) {
                backlog.offer(e);
            }
        });
        ShutdownHooks.Registration onShutdown = ctx.shutdown().register(backlog::stop);
        try {
            ctx.background().execute(() -> stream(backlog, subscription, onShutdown, sink, sse));
        } catch (RejectedExecutionException e) {
            subscription.close();
            onShutdown.close();
            throw new ApiException(503, "Too many open event streams; poll /jobs/queue-status instead");
        }
    }

    private void stream(EventBacklog backlog, Subscription subscription, ShutdownHooks.Registration onShutdown,
            SseEventSink sink, Sse sse) {
        SseWriter out = new SseWriter(sink, sse, ctx.mapper());
        try (subscription; sink) {
            // Sent at once, so a client knows the stream is open before the first job event.
            if (!out.comment("queue events")) {
                return;
            }
            while (!out.isClosed()) {
                JobEvent e = backlog.poll(HEARTBEAT_SECONDS, TimeUnit.SECONDS);
                if (e != null) {
                    if (!out.event(WireFormat.eventName(e.kind()), WireFormat.progress(e.snapshot(), e.progress(), ctx.queue().audioStore()))) {
                        return;
                    }
                    continue;
                }
                switch (backlog.end()) {
                    case OVERFLOWED -> {
                        log.info("closing a queue event stream whose client fell {} events behind", ctx.eventBacklog());
                        out.comment("too far behind: reconnect and reload the state");
                        return;
                    }
                    case STOPPED -> {
                        out.comment("server stopping");
                        return;
                    }
                    case NONE -> {
                        if (!out.comment("keep-alive")) {
                            return;
                        }
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            log.debug("closing a queue event stream failed: {}", e.toString());
        } catch (RuntimeException e) {
            log.warn("a queue event stream ended with an error: {}", e.toString());
        } finally {
            onShutdown.close();
        }
    }
}
