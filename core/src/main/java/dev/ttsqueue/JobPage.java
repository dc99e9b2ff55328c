package dev.ttsqueue;

import java.util.List;
import java.util.Objects;

/**
 * One page of a job listing, newest first.
 *
 * @param jobs the jobs of this page
 * @param nextCursor pass it to {@link TtsJobQueue#list(JobStatus, int, String)} for the next page;
 *     null when this page is the last. Opaque: its form may change between versions.
 */
public record JobPage(List<JobSnapshot> jobs, String nextCursor) {

    public JobPage {
        jobs = List.copyOf(Objects.requireNonNull(jobs, "jobs"));
    }
}
