package dev.ttsqueue.inference.f5;

import static dev.ttsqueue.inference.f5.F5TestSupport.models;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ttsqueue.InferenceSettings;
import dev.ttsqueue.InvalidRequestException;
import dev.ttsqueue.JobHandle;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.SynthesisResult;
import dev.ttsqueue.TtsJobQueue;
import dev.ttsqueue.audio.AudioClip;
import dev.ttsqueue.spi.AudioKind;
import dev.ttsqueue.spi.SynthesisRequest;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The F5 backend behind a real queue: NFE refusal at submit, a job end to end, its output stored. */
class F5QueueIT {
    @Test
    void queueRunsF5JobsAndRefusesMissingNfeSteps() throws Exception {
        F5OnnxBackend backend = F5OnnxBackend.builder(models("fp32")).provider(ExecutionProvider.CPU).build();
        try (TtsJobQueue queue = TtsJobQueue.builder().backend(backend).build()) {
            String ref = queue.audioStore().save(AudioKind.UPLOAD, F5TestSupport.tone(1.0, 0.5)).id();

            InvalidRequestException refused = assertThrows(InvalidRequestException.class, () -> queue.submit(
                    JobRequest.voiceCloning(ref, "This is a test.").refText("Hello there.")
                            .settings(InferenceSettings.defaults().withNfeStep(24))));
            assertTrue(refused.getMessage().contains("16, 32"), refused.getMessage());

            JobHandle job = queue.submit(JobRequest.voiceCloning(ref, "This is a test.").refText("Hello there.")
                    .settings(InferenceSettings.defaults().withNfeStep(16).withSeed(42)));
            SynthesisResult result = job.result().get(60, TimeUnit.SECONDS);
            assertEquals("f5-tts-onnx", result.backend());
            assertEquals(42, result.seed());
            assertEquals(24_000, result.sampleRate());
            AudioClip audio = queue.readOutput(result.outputFileId());
            assertEquals(106 * 256, audio.length());
        }
    }

    @Test
    void warmUpRequestsRunOnTheModelBeforeTheFirstJob() throws Exception {
        F5OnnxBackend backend = F5OnnxBackend.builder(models("fp32")).provider(ExecutionProvider.CPU).build();
        for (SynthesisRequest r : backend.warmUpRequests()) {
            assertEquals(backend.info().defaultNfeStep(), r.settings().nfeStep(), "the backend's own default step");
            assertTrue(backend.synthesize(r, new F5TestSupport.RecordingContext(0)).length() > 0, r.text());
        }
        long before = backend.timings().jobs();
        // The shortest warm-up: its first request only, which always runs, then the job.
        try (TtsJobQueue queue = TtsJobQueue.builder().backend(backend).warmUp(Duration.ofNanos(1)).build()) {
            String ref = queue.audioStore().save(AudioKind.UPLOAD, F5TestSupport.tone(1.0, 0.5)).id();
            JobHandle job = queue.submit(JobRequest.voiceCloning(ref, "This is a test.").refText("Hello there."));
            job.result().get(60, TimeUnit.SECONDS);
            assertEquals(before + 2, backend.timings().jobs(), "one warm-up request, then the job");
        }
    }
}
