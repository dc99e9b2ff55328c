package dev.ttsqueue.server.internal;

import jakarta.ws.rs.core.Form;
import jakarta.ws.rs.core.MediaType;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.glassfish.jersey.media.multipart.BodyPartEntity;
import org.glassfish.jersey.media.multipart.FormDataBodyPart;
import org.glassfish.jersey.media.multipart.FormDataMultiPart;
import org.glassfish.jersey.server.ContainerRequest;
import org.glassfish.jersey.server.model.ResourceMethod;

/**
 * The fields of an HTML form, sent either URL-encoded or as multipart (FastAPI's {@code Form}
 * takes both: Python {@code requests} sends the first, a browser {@code FormData} the second).
 * Multipart file parts are kept apart; parts buffered to disk are removed by {@link #close()}.
 * A field sent more than once takes its last value, as in FastAPI (Starlette's form data keeps
 * the last of each name), blank or not.
 */
public final class FormFields extends FieldReader implements AutoCloseable {
    private final Map<String, String> values;
    private final Map<String, FormDataBodyPart> files;
    private final FormDataMultiPart multiPart;
    private final Set<String> declared;

    private FormFields(Map<String, String> values, Map<String, FormDataBodyPart> files, FormDataMultiPart multiPart,
            Set<String> declared) {
        super(List.of("body"), new FieldErrors());
        this.values = values;
        this.files = files;
        this.multiPart = multiPart;
        this.declared = declared;
    }

    /** The fields the matched resource method declares with {@link FormFieldNames}. */
    private static Set<String> declaredFields(ContainerRequest request) {
        ResourceMethod matched = request.getUriInfo().getMatchedResourceMethod();
        Method method = matched == null ? null : matched.getInvocable().getHandlingMethod();
        FormFieldNames names = method == null ? null : method.getAnnotation(FormFieldNames.class);
        if (names == null) {
            throw new IllegalStateException("a form is read by " + method + ", which declares no @FormFieldNames");
        }
        Set<String> out = new HashSet<>(List.of(names.value()));
        if (names.settings()) {
            out.addAll(FormFieldNames.SETTINGS);
        }
        return Set.copyOf(out);
    }

    private void requireDeclared(String name) {
        if (!declared.contains(name)) {
            throw new IllegalStateException("form field '" + name + "' is read but not declared in @FormFieldNames " + declared);
        }
    }

    /**
     * Reads the request body as a form; any other content type gives an empty form (so every
     * required field is reported). A text field longer than {@code maxFieldBytes} is refused with
     * {@link UploadTooLargeException} (413) before it is read into memory; file parts stay on disk.
     */
    public static FormFields read(ContainerRequest request, long maxFieldBytes) {
        Set<String> declared = declaredFields(request);
        MediaType type = request.getMediaType();
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, FormDataBodyPart> files = new LinkedHashMap<>();
        if (type != null && type.isCompatible(MediaType.MULTIPART_FORM_DATA_TYPE)) {
            FormDataMultiPart mp = request.readEntity(FormDataMultiPart.class);
            for (Map.Entry<String, List<FormDataBodyPart>> e : mp.getFields().entrySet()) {
                FormDataBodyPart last = e.getValue().get(e.getValue().size() - 1);
                if (last.getContentDisposition() != null && last.getContentDisposition().getFileName() != null) {
                    files.put(e.getKey(), last);
                } else {
                    putUnlessBlank(values, e.getKey(), textOf(last, maxFieldBytes, mp));
                }
            }
            return new FormFields(values, files, mp, declared);
        }
        if (type != null && type.isCompatible(MediaType.APPLICATION_FORM_URLENCODED_TYPE)) {
            Form form = request.readEntity(Form.class);
            form.asMap().forEach((k, v) -> {
                if (!v.isEmpty()) {
                    putUnlessBlank(values, k, v.get(v.size() - 1));
                }
            });
        }
        return new FormFields(values, files, null, declared);
    }

    /** A text part's value, read with a cap: a part may be buffered to disk and be far larger than any field. */
    private static String textOf(FormDataBodyPart part, long maxBytes, FormDataMultiPart mp) {
        Object entity = part.getEntity();
        if (!(entity instanceof BodyPartEntity bpe)) {
            return part.getValue();
        }
        try (InputStream in = bpe.getInputStream()) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (bytes.length > maxBytes) {
                throw new UploadTooLargeException(maxBytes);
            }
            java.nio.charset.Charset charset = java.nio.charset.StandardCharsets.UTF_8;
            MediaType type = part.getMediaType();
            if (type != null && type.getParameters().get(MediaType.CHARSET_PARAMETER) != null) {
                try {
                    charset = java.nio.charset.Charset.forName(type.getParameters().get(MediaType.CHARSET_PARAMETER));
                } catch (IllegalArgumentException unknown) {
                    // keep UTF-8, as for a part without a charset
                }
            }
            return new String(bytes, charset);
        } catch (java.io.IOException e) {
            mp.cleanup();
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * An empty value counts as absent, as FastAPI has it for form fields: a browser sends every
     * input of a form, blank ones as "", and those must take their defaults (or be "missing").
     */
    private static void putUnlessBlank(Map<String, String> values, String name, String value) {
        if (value != null && !value.isEmpty()) {
            values.put(name, value);
        }
    }

    @Override
    protected Optional<Object> raw(String name) {
        requireDeclared(name);
        return Optional.ofNullable(values.get(name));
    }

    /**
     * A required file field; a missing one, or a plain text value where a file belongs, is
     * recorded as a 422 entry and null is returned.
     */
    public Upload requiredFile(String name) {
        requireDeclared(name);
        FormDataBodyPart part = files.get(name);
        if (part == null) {
            if (values.containsKey(name)) {
                errors.add("value_error", loc(name), "Value error, Expected UploadFile, received: <class 'str'>", values.get(name));
            } else {
                errors.missing("body", name);
            }
            return null;
        }
        return new Upload(part.getContentDisposition().getFileName(), part.getMediaType(), part);
    }

    @Override
    public void close() {
        if (multiPart != null) {
            multiPart.cleanup();
        }
    }

    /** A file part of a multipart form. */
    public record Upload(String fileName, MediaType mediaType, FormDataBodyPart part) {
        public InputStream open() {
            Object entity = part.getEntity();
            if (entity instanceof BodyPartEntity bpe) {
                return bpe.getInputStream();
            }
            return part.getValueAs(InputStream.class);
        }
    }
}
