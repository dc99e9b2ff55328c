package dev.ttsqueue.server.internal;

import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.Optional;

/** Query parameters, read with the same lax typing and 422 entries ({@code loc: ["query", name]}) as form fields. */
public final class QueryFields extends FieldReader {
    private final MultivaluedMap<String, String> params;

    public QueryFields(UriInfo uri) {
        super(List.of("query"), new FieldErrors());
        this.params = uri.getQueryParameters();
    }

    @Override
    protected Optional<Object> raw(String name) {
        // The last of repeated parameters, as FastAPI (Starlette's query params) reads a single-valued one.
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.ofNullable(values.get(values.size() - 1));
    }
}
