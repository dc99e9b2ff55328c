package dev.ttsqueue.examples;

import dev.ttsqueue.JobHandle;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.TtsJobQueue;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.audio.WavCodec;
import dev.ttsqueue.audio.WavFormat;
import dev.ttsqueue.inference.freetts.FreeTtsBackend;
import dev.ttsqueue.spi.AudioKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Queues a few sentences with different priorities on the built-in FreeTTS voice, prints measured
 * progress, and writes each result as a WAV file.
 *
 * <p>Run: {@code mvn -q -pl examples -am package -DskipTests && java -cp "examples/target/classes:$(cat examples/target/classpath.txt)" dev.ttsqueue.examples.SpeakWithPriorities [out-dir]}
 */
public final class SpeakWithPriorities {
    private SpeakWithPriorities() {
    }

    public static void main(String[] args) throws Exception {
        Path outDir = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "example-output"));
        try (TtsJobQueue queue = TtsJobQueue.builder().backend(new FreeTtsBackend()).build()) {
            // FreeTTS does not clone voices, but the API takes a reference clip for every job type:
            // a second of silence stands in for one.
            String reference = queue.audioStore().save(AudioKind.UPLOAD, AudioClip.silence(24_000, 24_000)).id();

            List<JobHandle> jobs = new ArrayList<>();
            String[] texts = {
                "This sentence was queued first, with the lowest priority.",
                "This one came second. It has a normal priority.",
                "This one came last, but its priority is the highest, so it is spoken before the others waiting.",
            };
            int[] priorities = {-1, 0, 5};
            for (int i = 0; i < texts.length; i++) {
                JobHandle job = queue.submit(JobRequest.ttsGenerate(reference, texts[i]).priority(priorities[i]));
                int n = i;
                job.onProgress(p -> System.out.printf("job %d: %.0f%% (step %d of %d)%n", n, p.percent(), p.stepsDone(), p.stepsTotal()));
                jobs.add(job);
            }
            for (int i = 0; i < jobs.size(); i++) {
                SynthesisResult r = jobs.get(i).result().join();
                Path wav = outDir.resolve("job-" + i + ".wav");
                WavCodec.write(queue.readOutput(r.outputFileId()), WavFormat.PCM_16, wav);
                System.out.printf("job %d: %.1f s of audio -> %s (%s)%n", i, r.durationSeconds(), wav, r.note());
            }
        }
    }
}
