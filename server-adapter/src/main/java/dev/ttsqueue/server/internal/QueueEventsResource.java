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
 * <p>Each stream has its own bounded {@link EventBacklog} fed by one queue listener, and is written
 * by {@link EventStreams}' writers when the backlog has something in it: a slow client holds up
 * neither the queue nor other clients, and a stream that waits holds no thread. One that falls
 * {@link #BACKLOG_EVENTS} events behind is told so in a comment and its stream ends; a browser's
 * {@code EventSource} then reconnects, and the client reloads the state.
 */
@Path("/jobs/events")
@Singleton
public final class QueueEventsResource {
    private static final Logger log = LoggerFactory.getLogger(QueueEventsResource.class);
    /** Events a stream may have waiting before it counts as too slow (progress is coalesced per job first). */
    public static final int BACKLOG_EVENTS = 1024;

    private final ServerContext ctx;

    @Inject
    public QueueEventsResource(ServerContext ctx) {
        this.ctx = ctx;
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(@Context ContainerRequest request, @Context SseEventSink sink, @Context Sse sse,
            @Context org.eclipse.jetty.server.Request connection) {
        EventStreams streams = ctx.eventStreams();
        if (!streams.reserve()) {
            throw tooMany();
        }
        QueueStream stream;
        Subscription subscription = null;
        ShutdownHooks.Registration onShutdown;
        try {
            EventBacklog backlog = new EventBacklog(ctx.eventBacklog());
            stream = new QueueStream(streams, backlog, new SseWriter(sink, sse, ctx.mapper(), streams.writeTimeoutNanos()),
                    EventStreams.closer(connection));
            TenantKeys.Grant grant = Tenancy.grant(request);
            // A tenant's stream carries its own jobs only; an admin's (and a server without keys) every job.
            subscription = ctx.queue().addListener(e -> {
                if (grant.sees(e.snapshot().tenant())) {
                    backlog.offer(e);
                    stream.signal();
                }
            });
            onShutdown = ctx.shutdown().register(() -> {
                backlog.stop();
                stream.signal();
            });
        } catch (RuntimeException e) {
            if (subscription != null) {
                subscription.close();
            }
            streams.unreserve();
            throw e;
        }
        if (!stream.start(subscription, onShutdown)) {
            throw tooMany();
        }
    }

    private static ApiException tooMany() {
        return new ApiException(503, "Too many open event streams; poll /jobs/queue-status instead");
    }

    /** One client's stream of every job (its tenant's). */
    private final class QueueStream extends SseStream {
        private final EventBacklog backlog;

        QueueStream(EventStreams streams, EventBacklog backlog, SseWriter out, Runnable abort) {
            super(streams, out, abort);
            this.backlog = backlog;
        }

        @Override
        boolean open() throws InterruptedException {
            // Sent at once, so a client knows the stream is open before the first job event.
            return out.comment("queue events");
        }

        @Override
        Next writeNext() throws InterruptedException {
            JobEvent e = backlog.poll(0, TimeUnit.NANOSECONDS);
            if (e != null) {
                return out.event(WireFormat.eventName(e.kind()), WireFormat.progress(e.snapshot(), e.progress(), ctx.queue().audioStore()))
                        ? Next.WROTE : Next.END;
            }
            switch (backlog.end()) {
                case OVERFLOWED -> {
                    log.info("closing a queue event stream whose client fell {} events behind", ctx.eventBacklog());
                    out.comment("too far behind: reconnect and reload the state");
                    return Next.END;
                }
                case STOPPED -> {
                    out.comment("server stopping");
                    return Next.END;
                }
                default -> {
                    return Next.IDLE;
                }
            }
        }

        @Override
        boolean hasPending() {
            return backlog.size() > 0 || backlog.end() != EventBacklog.End.NONE;
        }

        @Override
        String describe() {
            return "a queue event stream";
        }
    }
}
