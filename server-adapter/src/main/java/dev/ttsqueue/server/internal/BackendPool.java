package dev.ttsqueue.server.internal;

import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.spi.BackendInfo;
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
 * One backend instance per device, seen by the queue as one backend. The queue gets as many
 * workers as there are instances, and each call takes an instance no other call holds, so two
 * jobs never share a device (the backends themselves run one call at a time per instance).
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
