package dev.ttsqueue.examples;

import dev.ttsqueue.JobHandle;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.TtsJobQueue;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.inference.freetts.FreeTtsBackend;
import dev.ttsqueue.store.redis.RedisAudioStore;
import dev.ttsqueue.store.redis.RedisJobStore;
import dev.ttsqueue.store.redis.RedisVoiceBank;
import dev.ttsqueue.spi.BackendInfo;
import dev.ttsqueue.spi.SynthesisContext;
import dev.ttsqueue.spi.SynthesisRequest;
import dev.ttsqueue.spi.TtsBackend;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Two nodes, one queue: two queues (in one program here; on two machines in production) share one
 * Redis. Jobs submitted on node A run on whichever node is free, highest priority first across
 * both nodes, and node B reads the audio of every job that node A submitted.
 *
 * <p>Needs a Redis server. Run from the repository root:
 * {@code examples/run.sh TwoNodesOnRedis redis://127.0.0.1:6379/0}
 */
public final class TwoNodesOnRedis {
    /** Two long jobs that keep both nodes busy while the rest arrive. */
    private static final String LONG = "Both nodes take their jobs from one queue in Redis. ".repeat(12);
    private static final String[] WAITING = {
        "I came third, with a normal priority.",
        "I came fourth, with a normal priority too.",
        "I came last, but with the highest priority, so I run first once a node is free.",
    };
    private static final int[] PRIORITIES = {0, 0, 5};

    private TwoNodesOnRedis() {
    }

    public static void main(String[] args) throws Exception {
        run(args.length > 0 ? args[0] : "redis://127.0.0.1:6379/0", System.out);
    }

    /** What the run showed: which node ran each job, in submission order, and the order they started in. */
    public record Outcome(List<String> nodeOfJob, List<Integer> startOrder, boolean audioReadOnOtherNode) {
    }

    /**
     * Runs the example against the Redis at {@code uri}, printing to {@code out}. Two long jobs keep
     * both nodes busy while three more are submitted, so those show the shared priority order.
     */
    public static Outcome run(String uri, PrintStream out) throws Exception {
        Map<String, String> ranOn = new ConcurrentHashMap<>();
        List<String> started = new CopyOnWriteArrayList<>();
        RedisJobStore storeOfA = RedisJobStore.open(uri);
        try (TtsJobQueue a = node("A", storeOfA, ranOn, started); TtsJobQueue b = node("B", RedisJobStore.open(uri), ranOn, started)) {
            String reference = a.uploadReference(AudioClip.silence(24_000, 24_000));
            List<JobHandle> jobs = new ArrayList<>();
            jobs.add(a.submit(JobRequest.voiceCloning(reference, LONG)));
            jobs.add(a.submit(JobRequest.voiceCloning(reference, LONG)));
            while (started.size() < 2) {
                Thread.onSpinWait(); // one on each node
            }
            out.println("jobs 0 and 1 keep both nodes busy; three more arrive on node A");
            for (int i = 0; i < WAITING.length; i++) {
                JobHandle h = a.submit(JobRequest.voiceCloning(reference, WAITING[i]).priority(PRIORITIES[i]));
                out.printf("job %d submitted on node A with priority %d, place %d in the shared queue%n", i + 2, PRIORITIES[i],
                        h.accepted().queuePosition());
                jobs.add(h);
            }
            List<String> nodes = new ArrayList<>();
            boolean audioElsewhere = false;
            for (int i = 0; i < jobs.size(); i++) {
                SynthesisResult r = jobs.get(i).result().get(5, TimeUnit.MINUTES);
                String node = ranOn.get(jobs.get(i).id());
                nodes.add(node);
                // Node B reads the output of a job submitted on A, whichever node ran it.
                AudioClip audio = b.readOutput(r.outputFileId());
                audioElsewhere |= audio.length() > 0;
                out.printf("job %d ran on node %s: %.1f s of audio, read back on node B%n", i, node, audio.durationSeconds());
            }
            // The order the shared queue handed the jobs out in: each claim takes a fencing token
            // from one counter in Redis, inside the claim itself, so the tokens count the claims
            // in order. Neither the order the backends were called in (a short job on one node can
            // end before the other node's call begins) nor the claim times (each node reads its own
            // clock before its claim reaches Redis) can tell two claims a few milliseconds apart.
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < jobs.size(); i++) {
                order.add(i);
            }
            List<Long> tokens = jobs.stream().map(j -> storeOfA.get(j.id()).orElseThrow().fencingToken()).toList();
            order.sort(Comparator.comparing(tokens::get));
            out.println("started in the order: jobs " + order);
            return new Outcome(nodes, order, audioElsewhere);
        }
    }

    /** One node: its own worker and FreeTTS voice, the shared job store, audio and voices in Redis. */
    private static TtsJobQueue node(String name, RedisJobStore store, Map<String, String> ranOn, List<String> started) {
        return TtsJobQueue.builder()
                .backend(new NoteTheNode(new FreeTtsBackend(), name, ranOn, started))
                .store(store)
                .audioStore(RedisAudioStore.sharing(store, Clock.systemUTC(), Duration.ofHours(1), Duration.ofHours(24)))
                .voiceBank(RedisVoiceBank.sharing(store))
                .build();
    }

    /** The node's backend, noting which node runs each job before it speaks. */
    private record NoteTheNode(TtsBackend voice, String node, Map<String, String> ranOn, List<String> started) implements TtsBackend {

        @Override
        public BackendInfo info() {
            return voice.info();
        }

        @Override
        public AudioClip synthesize(SynthesisRequest request, SynthesisContext ctx) throws Exception {
            if (ranOn.putIfAbsent(ctx.jobId(), node) == null) {
                started.add(ctx.jobId());
            }
            return voice.synthesize(request, ctx);
        }

        @Override
        public void close() throws Exception {
            voice.close();
        }
    }
}
