package org.supcon.trainer.settings;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * One line of documentation of a {@link RunSettings} component. It is read at run time, so the
 * command line's help, the REST API's description and the settings table in the README come
 * from the record itself and cannot drift from it.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.PARAMETER, ElementType.FIELD, ElementType.METHOD})
public @interface Doc {

    /** What the setting does, its unit and its valid range. */
    String value();
}
