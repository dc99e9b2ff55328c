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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /jobs/{id}/events}: a job's life as Server-Sent Events. The first event is the job as
 * it stands when the client connects (so a client that comes late still gets the terminal event),
 * then {@code started}, {@code progress} and one terminal event ({@code completed}, {@code failed}
 * or {@code cancelled}), after which the stream ends. Each event's data is the status JSON.
 *
 * <p>Events are handed from the queue's event thread to the stream's own bounded backlog (which
 * keeps only the newest of the job's progress events still waiting) and written by
 * {@link EventStreams}' writers when there is something to write: a slow client never holds up
 * the queue's listeners, and a stream that waits holds no thread.
 */
@Path("/jobs/{job_id}/events")
@Singleton
public final class JobEventsResource {
    private static final Logger log = LoggerFactory.getLogger(JobEventsResource.class);

    private final ServerContext ctx;

    @Inject
    public JobEventsResource(ServerContext ctx) {
        this.ctx = ctx;
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(@PathParam("job_id") String id, @Context ContainerRequest request, @Context SseEventSink sink, @Context Sse sse,
            @Context org.eclipse.jetty.server.Request connection) {
        ctx.tenancy().job(Tenancy.grant(request), id); // 404 before the stream opens for an unknown job or another tenant's
        EventStreams streams = ctx.eventStreams();
        if (!streams.reserve()) {
            throw tooMany(id);
        }
        JobStream stream;
        Subscription subscription = null;
        ShutdownHooks.Registration onShutdown;
        try {
            stream = new JobStream(streams, id, new SseWriter(sink, sse, ctx.mapper(), streams.writeTimeoutNanos()),
                    EventStreams.closer(connection));
            subscription = ctx.queue().subscribe(id, stream::offer);
            onShutdown = ctx.shutdown().register(stream::stop);
        } catch (RuntimeException e) {
            if (subscription != null) {
                subscription.close();
            }
            streams.unreserve();
            throw e;
        }
        if (!stream.start(subscription, onShutdown)) {
            throw tooMany(id);
        }
    }

    private static ApiException tooMany(String id) {
        return new ApiException(503, "Too many open event streams; poll /jobs/" + id + "/status instead");
    }

    /** One client's stream of one job. */
    private final class JobStream extends SseStream {
        private final String id;
        private final EventBacklog pending = new EventBacklog(ctx.eventBacklog());
        private volatile boolean stopping;
        /** Only the drain reads or writes it. */
        private double lastProgress;

        JobStream(EventStreams streams, String id, SseWriter out, Runnable abort) {
            super(streams, out, abort);
            this.id = id;
        }

        /** The queue's listener: never waits. */
        void offer(JobEvent e) {
            pending.offer(e);
            signal();
        }

        /** The server stops: what is pending still goes out, then a comment, then the end. */
        void stop() {
            stopping = true;
            signal();
        }

        @Override
        boolean open() throws InterruptedException {
            JobSnapshot now = ctx.queue().status(id);
            if (!out.event(initialName(now.status()), WireFormat.status(now, ctx.queue().audioStore()))) {
                return false;
            }
            if (now.status().isTerminal()) {
                return false;
            }
            lastProgress = now.progress();
            return true;
        }

        @Override
        Next writeNext() throws InterruptedException {
            JobEvent e = pending.poll(0, TimeUnit.NANOSECONDS);
            if (e == null) {
                if (pending.end() == EventBacklog.End.OVERFLOWED) {
                    log.info("closing the event stream of job {}: its client fell {} events behind", id, ctx.eventBacklog());
                    out.comment("too far behind: reconnect");
                    return Next.END;
                }
                if (stopping) {
                    out.comment("server stopping");
                    return Next.END;
                }
                return Next.IDLE;
            }
            if (e.kind() == JobEvent.Kind.PROGRESS && e.progress() != null && e.progress().percent() < lastProgress) {
                return Next.WROTE; // older than the snapshot sent first
            }
            if (e.progress() != null) {
                lastProgress = e.progress().percent();
            }
            Map<String, Object> data = WireFormat.progress(e.snapshot(), e.progress(), ctx.queue().audioStore());
            if (!out.event(WireFormat.eventName(e.kind()), data) || e.kind().isTerminal()) {
                return Next.END;
            }
            return Next.WROTE;
        }

        @Override
        boolean hasPending() {
            return stopping || pending.size() > 0 || pending.end() != EventBacklog.End.NONE;
        }

        @Override
        String describe() {
            return "the event stream of job " + id;
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
