package dev.ttsqueue.server.internal;

import dev.ttsqueue.InvalidRequestException;
import dev.ttsqueue.JobNotFoundException;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.JobPage;
import dev.ttsqueue.JobSnapshot;
import dev.ttsqueue.JobStatus;
import dev.ttsqueue.TtsJobQueue;
import dev.ttsqueue.spi.AudioEntry;
import dev.ttsqueue.spi.Identifiers;
import jakarta.ws.rs.container.ContainerRequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Who a request acts for, and what that lets it see. {@link ApiKeyFilter} puts the grant of the
 * key sent on the request; without keys (or with a single {@code --api-key}) every request is
 * {@link TenantKeys.Grant#OPEN}: the anonymous tenant, seeing everything, as before tenants.
 *
 * <p>A job of another tenant answers exactly as an unknown one does ({@link JobNotFoundException},
 * 404 {@code Job not found}), so ids cannot be probed across tenants; so does a clip of another
 * tenant ({@link #audio}): an upload belongs to the tenant that uploaded it, an output to the
 * tenant of the job that made it ({@link AudioEntry#owner()}).
 */
public final class Tenancy {
    /** The request property that carries the {@link TenantKeys.Grant}. */
    public static final String GRANT_PROPERTY = "dev.ttsqueue.server.grant";

    /** Most jobs read from the queue to answer one page of a tenant's listing. */
    public static final int LIST_SCAN_JOBS = 1000;

    private final TtsJobQueue queue;
    private final TenantQuotas quotas;
    private final TenantVoices voices;

    public Tenancy(TtsJobQueue queue, TenantQuotas quotas, TenantVoices voices) {
        this.queue = queue;
        this.quotas = quotas;
        this.voices = voices;
    }

    /** The permanent voices each tenant sees. */
    public TenantVoices voices() {
        return voices;
    }

    /** The grant of {@code request}: its key's, or {@link TenantKeys.Grant#OPEN} when the server has no keys. */
    public static TenantKeys.Grant grant(ContainerRequestContext request) {
        return request.getProperty(GRANT_PROPERTY) instanceof TenantKeys.Grant g ? g : TenantKeys.Grant.OPEN;
    }

    /**
     * {@code request} for {@code grant}'s tenant, once its quotas let it through.
     *
     * @throws ApiException 429 when the tenant is past its queued or rate limit
     */
    public JobRequest admit(TenantKeys.Grant grant, JobRequest request) {
        quotas.admit(grant);
        return request.withTenant(grant.tenant());
    }

    /**
     * One page of the jobs {@code grant} may see, newest first. An admin's page is the queue's.
     * The stores list by state, not by tenant, so a tenant's page is read from the queue's pages,
     * keeping its own jobs: at most {@value #LIST_SCAN_JOBS} jobs are read for one page, so a page
     * costs the same however many jobs the queue holds, and may hold fewer than {@code limit} jobs
     * (even none) before the end when other tenants' jobs are many. Only a null
     * {@link JobPage#nextCursor()} says the listing is over.
     */
    public JobPage list(TenantKeys.Grant grant, JobStatus status, int limit, String cursor) {
        if (grant.admin()) {
            return queue.list(status, limit, cursor);
        }
        if (limit < 1 || limit > LIST_SCAN_JOBS) {
            throw new InvalidRequestException("limit must be between 1 and " + LIST_SCAN_JOBS); // the queue's own words
        }
        List<JobSnapshot> own = new ArrayList<>();
        String next = cursor;
        int read = 0;
        do {
            // Never more than still fits: a page read is used whole, so its cursor is exactly where to go on.
            int ask = Math.min(limit - own.size(), LIST_SCAN_JOBS - read);
            JobPage page = queue.list(status, ask, next);
            read += page.jobs().size();
            for (JobSnapshot s : page.jobs()) {
                if (grant.sees(s.tenant())) {
                    own.add(s);
                }
            }
            next = page.nextCursor();
        } while (next != null && own.size() < limit && read < LIST_SCAN_JOBS);
        return new JobPage(own, next);
    }

    /**
     * The clip {@code id} when {@code grant} may see it: its tenant's own, or any for an admin.
     * Empty for an unknown or unsafe id and for another tenant's clip alike.
     */
    public Optional<AudioEntry> audio(TenantKeys.Grant grant, String id) {
        if (!Identifiers.isSafe(id)) {
            return Optional.empty();
        }
        return queue.audioStore().find(id).filter(e -> grant.sees(e.owner()));
    }

    /**
     * The job {@code jobId} when {@code grant} may see it.
     *
     * @throws JobNotFoundException when it is unknown or another tenant's
     */
    public JobSnapshot job(TenantKeys.Grant grant, String jobId) {
        JobSnapshot s = queue.status(jobId);
        if (!grant.sees(s.tenant())) {
            throw new JobNotFoundException(jobId);
        }
        return s;
    }
}
