package dev.ttsqueue.inference.freetts;

import dev.ttsqueue.spi.SynthesisContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records progress and turns cancelled once {@code cancelAfter} steps were reported. */
final class RecordingContext implements SynthesisContext {
    final List<int[]> progress = new CopyOnWriteArrayList<>();
    private final int cancelAfter;

    RecordingContext(int cancelAfter) {
        this.cancelAfter = cancelAfter;
    }

    RecordingContext() {
        this(Integer.MAX_VALUE);
    }

    @Override
    public String jobId() {
        return "job-1";
    }


    @Override
    public void reportProgress(int stepsDone, int stepsTotal) {
        progress.add(new int[] {stepsDone, stepsTotal});
    }

    @Override
    public boolean isCancelled() {
        return progress.size() >= cancelAfter;
    }
}
