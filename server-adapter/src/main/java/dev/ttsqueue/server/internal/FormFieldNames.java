package dev.ttsqueue.server.internal;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;

/**
 * The form fields a resource method reads through {@link FormFields}: JAX-RS's {@code @FormParam}
 * cannot say them, since the fields come URL-encoded or multipart alike. {@link FormFields} refuses
 * to read a field its method does not declare, and the OpenAPI test checks the document against
 * these names, so the documented form is the one read.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface FormFieldNames {
    /** The inference settings' fields, which {@link Submissions#settings} reads. */
    List<String> SETTINGS = List.of("randomize_seed", "seed", "remove_silence", "speed", "nfe_step", "cross_fade_duration");

    /** Fields read besides the settings. */
    String[] value();

    /** Whether the inference settings' fields ({@link #SETTINGS}) are read too. */
    boolean settings() default false;
}
