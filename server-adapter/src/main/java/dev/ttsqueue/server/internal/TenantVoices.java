package dev.ttsqueue.server.internal;

import dev.ttsqueue.InvalidRequestException;
import dev.ttsqueue.JobRequest;
import dev.ttsqueue.spi.Voice;
import dev.ttsqueue.spi.VoiceBank;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which permanent voices a request's tenant sees. The voice bank itself holds the shared voices;
 * each tenant of the keys file has its own beside them ({@link VoiceBank#forTenant}), and a
 * tenant's name finds its own voice first, then the shared one. The anonymous tenant (no keys
 * file, or a single {@code --api-key}) has no namespace of its own: its voices are the shared ones,
 * exactly as before tenants. An admin key may upload and delete shared voices and any tenant's,
 * and lists them all.
 */
public final class TenantVoices {
    private final VoiceBank shared;
    private final List<String> tenants;

    /**
     * @param shared the queue's voice bank; null when none is configured
     * @param tenants the tenants of the keys file (what an admin's listing walks); empty without one
     */
    public TenantVoices(VoiceBank shared, List<String> tenants) {
        this.shared = shared;
        this.tenants = List.copyOf(tenants);
    }

    /** A voice with the namespace it is in: {@code tenant} empty for a shared voice. */
    public record Listed(Voice voice, String tenant) {
    }

    /** The shared voices. @throws ApiException 501 when the server has no voice bank */
    VoiceBank shared() {
        if (shared == null) {
            throw new ApiException(501, "This server has no voice bank configured");
        }
        return shared;
    }

    /**
     * The voices of {@code tenant}: the shared ones for the anonymous tenant.
     *
     * @throws ApiException 501 when the server has no voice bank, or one that keeps no per-tenant voices
     * @throws InvalidRequestException (400) for a tenant name that cannot have voices
     */
    VoiceBank of(String tenant) {
        try {
            return shared().forTenant(tenant);
        } catch (UnsupportedOperationException e) {
            throw new ApiException(501, "This server's voice bank keeps no voices per tenant; use a folder or Redis voice bank");
        }
    }

    /** Where a voice upload of {@code grant} goes: the shared voices when {@code sharedAsked} (admin keys only). */
    VoiceBank forUpload(TenantKeys.Grant grant, boolean sharedAsked) {
        if (sharedAsked) {
            requireAdmin(grant, "upload a shared voice");
            return shared();
        }
        return of(grant.tenant());
    }

    /**
     * The bank a delete of {@code grant} acts on: its own voices, or (admin keys only) the shared
     * ones ({@code sharedAsked}) or another tenant's ({@code tenant}).
     */
    VoiceBank forDelete(TenantKeys.Grant grant, boolean sharedAsked, String tenant) {
        if (sharedAsked && tenant != null) {
            throw ApiException.badRequest("Give either shared=true or tenant, not both");
        }
        if (sharedAsked) {
            requireAdmin(grant, "delete a shared voice");
            return shared();
        }
        if (tenant != null) {
            requireAdmin(grant, "delete another tenant's voice");
            if (JobRequest.checkTenant(tenant).isEmpty()) {
                throw ApiException.badRequest("tenant must name a tenant; use shared=true for the shared voices");
            }
            return of(tenant);
        }
        return of(grant.tenant());
    }

    /** The voice a name sent by {@code grant} stands for: its tenant's own first, then the shared one. */
    Optional<Voice> lookup(TenantKeys.Grant grant, String spelling) {
        if (shared == null) {
            return Optional.empty();
        }
        Optional<Voice> own = own(grant.tenant()).flatMap(b -> b.lookup(spelling));
        return own.isPresent() ? own : shared.lookup(spelling);
    }

    /**
     * What {@code grant} lists: the shared voices and its own; for an admin key of the keys file,
     * every tenant's as well. Without a keys file, the shared voices only, as before tenants.
     */
    List<Listed> list(TenantKeys.Grant grant) {
        List<Listed> out = new ArrayList<>();
        if (shared == null) {
            return out;
        }
        shared.list().forEach(v -> out.add(new Listed(v, JobRequest.ANONYMOUS_TENANT)));
        List<String> namespaces = grant.admin() && !grant.tenant().isEmpty() ? tenants
                : grant.tenant().isEmpty() ? List.of() : List.of(grant.tenant());
        for (String t : namespaces) {
            own(t).ifPresent(b -> b.list().forEach(v -> out.add(new Listed(v, t))));
        }
        return out;
    }

    /** The tenant's own voices; empty for the anonymous tenant and with a bank that keeps none per tenant (all shared). */
    private Optional<VoiceBank> own(String tenant) {
        if (tenant.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(shared.forTenant(tenant));
        } catch (UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    private static void requireAdmin(TenantKeys.Grant grant, String what) {
        if (!grant.admin()) {
            throw new ApiException(403, "Only an admin key may " + what);
        }
    }
}
