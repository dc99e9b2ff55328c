package dev.ttsqueue.server.internal;

import dev.ttsqueue.JobSnapshot;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.audio.Resampler;
import dev.ttsqueue.audio.WavCodec;
import dev.ttsqueue.audio.WavFormat;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import org.glassfish.jersey.server.ContainerRequest;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /jobs/{id}/audio-stream}: the job's audio as a WAV whose samples are sent as they are
 * made (chunked transfer). The header declares an unknown length (0xFFFFFFFF), as streamed WAV
 * does, at the backend's sample rate; then each piece of the job's audio follows as 16-bit PCM,
 * flushed at once. A completed job sends its whole output; a job that fails, is cancelled or whose
 * server stops ends the stream early (the samples sent so far stay valid). Streams run on the
 * server's background threads, not on the request threads.
 */
@Path("/jobs/{job_id}/audio-stream")
@Singleton
public final class AudioStreamResource {
    private static final Logger log = LoggerFactory.getLogger(AudioStreamResource.class);
    private static final Object END = new Object();
    private static final Object SERVER_STOPPING = new Object();

    private final ServerContext ctx;

    @Inject
    public AudioStreamResource(ServerContext ctx) {
        this.ctx = ctx;
    }

    @GET
    public void stream(@PathParam("job_id") String id, @Context ContainerRequest request, @Suspended AsyncResponse response) {
        // 404 for an unknown job or another tenant's, before anything is sent
        JobSnapshot now = ctx.tenancy().job(Tenancy.grant(request), id);
        if (now.status() == JobStatus.FAILED || now.status() == JobStatus.CANCELLED) {
            throw ApiException.badRequest("Job not completed. Current status: " + now.status().wireName());
        }
        Flow.Publisher<AudioClip> audio = ctx.queue().handle(id).audio();
        int rate = ctx.queue().backendInfo().sampleRate();
        StreamingOutput body = out -> send(id, audio, rate, out);
        try {
            ctx.background().execute(() -> response.resume(Response.ok(body, "audio/wav")
                    .header("Content-Disposition", "inline; filename=\"f5tts_audio_" + id + ".wav\"")
                    .header("Cache-Control", "no-store")
                    .build()));
        } catch (RejectedExecutionException e) {
            throw new ApiException(503, "Too many open streams; download /download-audio/{file_id} once the job completed");
        }
    }

    private void send(String id, Flow.Publisher<AudioClip> audio, int rate, OutputStream out) throws IOException {
        BlockingQueue<Object> next = new LinkedBlockingQueue<>();
        AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
        CountingSubscriber subscriber = new CountingSubscriber(next, subscription);
        ShutdownHooks.Registration onShutdown = ctx.shutdown().register(() -> next.add(SERVER_STOPPING));
        try {
            out.write(WavCodec.streamHeader(rate, WavFormat.PCM_16));
            out.flush();
            audio.subscribe(subscriber);
            while (true) {
                Object item = next.take();
                if (item == END || item == SERVER_STOPPING) {
                    return;
                }
                if (item instanceof Throwable t) {
                    log.debug("audio stream of job {} ends early: {}", id, t.toString());
                    return;
                }
                AudioClip piece = (AudioClip) item;
                if (piece.sampleRate() != rate) {
                    piece = Resampler.resample(piece, rate);
                }
                out.write(WavCodec.encodeSamples(piece, WavFormat.PCM_16));
                out.flush();
                subscription.get().request(1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            onShutdown.close();
            Flow.Subscription s = subscription.get();
            if (s != null) {
                s.cancel();
            }
        }
    }

    /** Puts what the feed delivers in a queue, one piece asked at a time: the client's pace sets the pace. */
    private record CountingSubscriber(BlockingQueue<Object> next, AtomicReference<Flow.Subscription> subscription)
            implements Flow.Subscriber<AudioClip> {

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription.set(s);
            s.request(1);
        }

        @Override
        public void onNext(AudioClip piece) {
            next.add(piece);
        }

        @Override
        public void onError(Throwable error) {
            next.add(error);
        }

        @Override
        public void onComplete() {
            next.add(END);
        }
    }
}
