package dev.ttsqueue.server.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The fields of a JSON object body (or of an object nested in it). */
public final class JsonFields extends FieldReader {
    private final ObjectNode node;
    private final List<Object> location;

    private JsonFields(ObjectNode node, List<Object> location, FieldErrors errors) {
        super(location, errors);
        this.node = node;
        this.location = location;
    }

    /**
     * Parses a request body that must be a JSON object.
     *
     * @throws FieldErrors.Invalid (422) for an empty body, bad JSON or a non-object, as FastAPI answers them
     */
    public static JsonFields parse(ObjectMapper mapper, byte[] body) {
        FieldErrors errors = new FieldErrors();
        if (body == null || body.length == 0) {
            errors.add("missing", List.of("body"), "Field required", null);
            errors.throwIfAny();
        }
        JsonNode root;
        try {
            // Anything after the value is an error, as Python's json.loads says "Extra data".
            root = mapper.reader().with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(body);
        } catch (JsonProcessingException e) {
            long offset = e.getLocation() == null ? 0 : Math.max(0, e.getLocation().getCharOffset());
            errors.add("json_invalid", List.of("body", offset), "JSON decode error", Map.of());
            errors.throwIfAny();
            return null;
        } catch (java.io.IOException e) {
            // Not a parse error to Jackson, but bytes that are no text in the encoding it detected
            // (a body that looks like UTF-32 and holds no valid character): malformed JSON all the same.
            errors.add("json_invalid", List.of("body", 0), "JSON decode error", Map.of());
            errors.throwIfAny();
            return null;
        }
        if (!(root instanceof ObjectNode obj)) {
            errors.add("model_attributes_type", List.of("body"), "Input should be a valid dictionary or object to extract fields from",
                    root == null ? null : root.toString());
            errors.throwIfAny();
            return null;
        }
        return new JsonFields(obj, List.of("body"), errors);
    }

    @Override
    protected Optional<Object> raw(String name) {
        return Optional.ofNullable(node.get(name));
    }

    /**
     * An optional nested object; a value that is not an object is a 422 entry and gives empty.
     * The nested reader reports into the same {@link FieldErrors}.
     */
    public Optional<JsonFields> object(String name) {
        JsonNode n = node.get(name);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!(n instanceof ObjectNode obj)) {
            errors.add("dict_type", loc(name), "Input should be a valid dictionary", n.toString());
            return Optional.empty();
        }
        List<Object> nested = new ArrayList<>(location);
        nested.add(name);
        return Optional.of(new JsonFields(obj, nested, errors));
    }
}
