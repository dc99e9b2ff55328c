package dev.ttsqueue.server.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.MessageBodyWriter;
import jakarta.ws.rs.ext.Provider;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.util.Collection;
import java.util.Map;

/** Writes the maps and lists the resources answer with as JSON, through one shared ObjectMapper. */
@Provider
@Produces({MediaType.APPLICATION_JSON, "application/*+json"})
public final class JsonBodyWriter implements MessageBodyWriter<Object> {
    private final ObjectMapper mapper;

    public JsonBodyWriter(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return (Map.class.isAssignableFrom(type) || Collection.class.isAssignableFrom(type)
                || com.fasterxml.jackson.databind.JsonNode.class.isAssignableFrom(type))
                && (mediaType == null || mediaType.isWildcardType() || mediaType.getSubtype().endsWith("json"));
    }

    @Override
    public void writeTo(Object value, Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType,
            MultivaluedMap<String, Object> headers, OutputStream out) throws IOException {
        // Small bodies: serialise first so the answer carries a Content-Length instead of going chunked.
        byte[] json = mapper.writeValueAsBytes(value);
        headers.putSingle("Content-Length", json.length);
        out.write(json);
    }
}
