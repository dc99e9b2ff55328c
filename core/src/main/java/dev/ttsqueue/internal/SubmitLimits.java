package dev.ttsqueue.internal;

import dev.ttsqueue.InvalidRequestException;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.spi.BackendInfo;

/** What a request must fit before it is queued: the backend's NFE steps and the text limit. */
final class SubmitLimits {
    private final BackendInfo backend;
    private final int maxTextLength;

    /** @param configuredMaxText the queue's own text limit; 0 or less = none */
    SubmitLimits(BackendInfo backend, int configuredMaxText) {
        this.backend = backend;
        int limit = Math.min(positiveOrMax(configuredMaxText), positiveOrMax(backend.maxTextLength()));
        this.maxTextLength = limit == Integer.MAX_VALUE ? 0 : limit;
    }

    /** @throws InvalidRequestException when the backend cannot run {@code request} */
    void check(JobRequest request) {
        int nfe = request.settings().nfeStep();
        if (!backend.supportedNfeSteps().isEmpty() && !backend.supportedNfeSteps().contains(nfe)) {
            throw new InvalidRequestException("nfe_step " + nfe + " is not available: this model was exported for "
                    + backend.supportedNfeSteps().stream().sorted().map(String::valueOf)
                            .reduce((a, b) -> a + ", " + b).orElse(""));
        }
        if (maxTextLength > 0 && request.text().length() > maxTextLength) {
            throw new InvalidRequestException("Text is too long: " + request.text().length()
                    + " characters (limit " + maxTextLength + ")");
        }
    }

    /** The effective text limit (0 = none): the smaller of the configured one and the backend's. */
    int maxTextLength() {
        return maxTextLength;
    }

    private static int positiveOrMax(int v) {
        return v > 0 ? v : Integer.MAX_VALUE;
    }
}
