package dev.ttsqueue;

/**
 * A job has no reference transcript, its backend needs one, and the queue has no
 * {@link dev.ttsqueue.spi.Transcriber} to make it. Refused at submit time (HTTP 400): send the
 * transcript with the job, or configure a transcriber on the queue.
 */
public class ReferenceTextRequiredException extends InvalidRequestException {
    private static final long serialVersionUID = 1L;

    public ReferenceTextRequiredException(String message) {
        super(message);
    }
}
