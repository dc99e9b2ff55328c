package dev.ttsqueue;

import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.spi.BackendInfo;
import dev.ttsqueue.spi.ModelState;
import dev.ttsqueue.spi.SynthesisContext;
import dev.ttsqueue.spi.SynthesisRequest;
import dev.ttsqueue.spi.TtsBackend;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several instances of one model — one per GPU — seen by the queue as a single backend. Build the
 * queue with {@code workers(pool.size())}: each call takes an instance no other call holds, so two
 * jobs never share a device, and backends written for one call at a time (F5, FreeTTS) stay
 * single-threaded. {@link #close()} closes every instance.
 *
 * <pre>{@code
 * BackendPool pool = new BackendPool(List.of(f5OnDevice(0), f5OnDevice(1)));
 * TtsJobQueue queue = TtsJobQueue.builder().backend(pool).workers(pool.size()).build();
 * }</pre>
 */
public final class BackendPool implements TtsBackend {
    private static final Logger log = LoggerFactory.getLogger(BackendPool.class);

    private final List<TtsBackend> instances;
    private final BlockingQueue<TtsBackend> free;
    private final BackendInfo info;

    /** @throws IllegalArgumentException for an empty list */
    public BackendPool(List<TtsBackend> instances) {
        if (instances.isEmpty()) {
            throw new IllegalArgumentException("at least one backend instance is needed");
        }
        this.instances = List.copyOf(instances);
        this.free = new ArrayBlockingQueue<>(instances.size(), false, instances);
        BackendInfo first = instances.get(0).info();
        String devices = instances.stream().map(b -> b.info().device()).collect(Collectors.joining(", "));
        this.info = new BackendInfo(first.name(), first.sampleRate(), first.clonesVoices(), first.needsReferenceText(),
                first.supportedNfeSteps(), first.defaultNfeStep(), first.maxTextLength(), first.maxBatchSize(), devices);
    }

    public int size() {
        return instances.size();
    }

    @Override
    public BackendInfo info() {
        return info;
    }

    @Override
    public AudioClip synthesize(SynthesisRequest request, SynthesisContext ctx) throws Exception {
        TtsBackend b = free.take();
        try {
            return b.synthesize(request, ctx);
        } finally {
            free.add(b);
        }
    }

    @Override
    public List<AudioClip> synthesizeBatch(List<SynthesisRequest> requests, List<SynthesisContext> contexts) throws Exception {
        TtsBackend b = free.take();
        try {
            return b.synthesizeBatch(requests, contexts);
        } finally {
            free.add(b);
        }
    }

    /**
     * The first instance's warm-up requests (the instances are one model). Each worker warms up
     * through the pool while the others do, so every instance, one per worker, gets its share.
     */
    @Override
    public List<SynthesisRequest> warmUpRequests() {
        return instances.get(0).warmUpRequests();
    }

    /** Loaded only when every instance is: a device whose model is gone can no longer take its share. */
    @Override
    public ModelState modelState() {
        ModelState state = ModelState.LOADED;
        for (TtsBackend b : instances) {
            state = state.and(b.modelState());
        }
        return state;
    }

    @Override
    public void close() {
        for (TtsBackend b : instances) {
            try {
                b.close();
            } catch (Exception e) {
                log.warn("closing backend on {} failed: {}", b.info().device(), e.toString());
            }
        }
    }
}
