package org.supcon.inference.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.List;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.junit.jupiter.api.Test;

/**
 * Query, path and header parameters of every resource are text parsed by {@link Params}: a typed
 * one would bring back JAX-RS's 404 for a value that does not convert. And Params' messages name the
 * parameter and the value.
 */
class ResourceParametersTest {

    static final List<Class<? extends Annotation>> PARAMS = List.of(RestQuery.class, QueryParam.class, RestPath.class,
            PathParam.class, RestHeader.class, HeaderParam.class);

    @Test
    void everyQueryPathAndHeaderParameterIsText() {
        List<String> typed = new ArrayList<>();
        int seen = 0;
        for (Class<?> resource : List.of(InferenceResource.class, OipResource.class, SearchResource.class)) {
            for (Method m : resource.getDeclaredMethods()) {
                for (Parameter p : m.getParameters()) {
                    if (PARAMS.stream().anyMatch(p::isAnnotationPresent)) {
                        seen++;
                        if (p.getType() != String.class) {
                            typed.add(resource.getSimpleName() + "." + m.getName() + "(" + p.getType().getSimpleName() + " "
                                    + p.getName() + ")");
                        }
                    }
                }
            }
        }
        assertTrue(seen >= 10, "found only " + seen + " parameters: is the scan looking at the resources?");
        assertEquals(List.of(), typed, "declare these as String and parse them with Params");
    }

    @Test
    void messagesNameTheParameterAndTheValue() {
        assertEquals("query parameter \"topK\" must be an integer, got \"x1\"",
                assertThrows(IllegalArgumentException.class, () -> Params.integer(Params.Kind.QUERY, "topK", "x1")).getMessage());
        assertEquals("path parameter \"version\" must be an integer, got \"1e3\"",
                assertThrows(IllegalArgumentException.class, () -> Params.longValue(Params.Kind.PATH, "version", "1e3"))
                        .getMessage());
        assertEquals("query parameter \"minScore\" must be a finite number, got \"NaN\"",
                assertThrows(IllegalArgumentException.class, () -> Params.number(Params.Kind.QUERY, "minScore", "NaN"))
                        .getMessage());
        assertEquals("query parameter \"exact\" must be true or false, got \"yes\"",
                assertThrows(IllegalArgumentException.class, () -> Params.bool(Params.Kind.QUERY, "exact", "yes")).getMessage());
        assertEquals(7, Params.integer(Params.Kind.QUERY, "k", " 7"));
        assertEquals(0.5f, Params.number(Params.Kind.QUERY, "minScore", "0.5"));
        assertEquals(Boolean.TRUE, Params.bool(Params.Kind.QUERY, "exact", "TRUE"));
        assertEquals(null, Params.integer(Params.Kind.QUERY, "k", null));
        assertTrue(Params.version(null).isEmpty());
        assertEquals(3L, Params.version("3").getAsLong());
    }
}
