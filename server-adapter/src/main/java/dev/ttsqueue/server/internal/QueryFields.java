package dev.ttsqueue.server.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Query parameters, read with the same lax typing and 422 entries ({@code loc: ["query", name]}) as
 * form fields. Built from the values a resource method declares with {@code @QueryParam} (as
 * {@code List<String>}, every value sent), so the parameters it can read are the ones it declares.
 */
public final class QueryFields extends FieldReader {
    private final Map<String, List<String>> params;

    /** @param params each declared parameter's values, as JAX-RS gives them (empty when absent) */
    public QueryFields(Map<String, List<String>> params) {
        super(List.of("query"), new FieldErrors());
        this.params = Map.copyOf(params);
    }

    @Override
    protected Optional<Object> raw(String name) {
        // The last of repeated parameters, as FastAPI (Starlette's query params) reads a single-valued one.
        List<String> values = params.get(name);
        if (values == null && !params.containsKey(name)) {
            throw new IllegalStateException("query parameter '" + name + "' is read but not declared with @QueryParam");
        }
        return values == null || values.isEmpty() ? Optional.empty() : Optional.ofNullable(values.get(values.size() - 1));
    }
}
