package org.supcon.inference.oip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

class JsonInferRequestTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static JsonInferRequest parse(String json) {
        return JsonInferRequest.parse(MAPPER, json.getBytes(StandardCharsets.UTF_8));
    }

    private static String refusal(String json) {
        OipException e = assertThrows(OipException.class, () -> parse(json));
        assertEquals(OipException.Kind.INVALID_ARGUMENT, e.kind());
        return e.getMessage();
    }

    @Test
    void readsTheSpecFields() {
        JsonInferRequest r = parse("""
                {"id": "42", "parameters": {"x": 1},
                 "inputs": [{"name": "images", "shape": [1, 1, 2, 2], "datatype": "UINT8", "data": [1, 2, 3, 4]}],
                 "outputs": [{"name": "probabilities"}, {"name": "embedding", "parameters": {"binary_data": false}}]}
                """);
        assertEquals("42", r.id());
        assertEquals(1, r.inputs().size());
        assertEquals("images", r.inputs().get(0).name());
        assertEquals("UINT8", r.inputs().get(0).datatype());
        assertArrayEquals(new long[] {1, 1, 2, 2}, r.inputs().get(0).shape());
        assertEquals(4, r.inputs().get(0).data().size());
        assertEquals(List.of("probabilities", "embedding"), r.outputs());
    }

    @Test
    void idAndOutputsAreOptional() {
        JsonInferRequest r = parse("{\"inputs\": [{\"name\": \"images\", \"shape\": [1], \"datatype\": \"FP32\", \"data\": [1]}]}");
        assertNull(r.id());
        assertEquals(List.of(), r.outputs());
    }

    @Test
    void malformedJsonIsNamed() {
        String malformed = refusal("{\"inputs\": [");
        assertTrue(malformed.startsWith("malformed JSON: Unexpected end-of-input") && malformed.endsWith("(line 1, column 13)")
                && !malformed.contains("Source"), malformed);
        assertTrue(refusal("").contains("JSON object"));
        assertTrue(refusal("[1, 2]").contains("JSON object"));
    }

    @Test
    void structuralProblemsNameTheField() {
        assertTrue(refusal("{}").contains("'inputs'"));
        assertTrue(refusal("{\"inputs\": [{\"shape\": [1], \"datatype\": \"FP32\", \"data\": []}]}").contains("inputs[0].name"));
        assertTrue(refusal("{\"inputs\": [{\"name\": \"images\", \"shape\": [1], \"data\": []}]}").contains("inputs[0].datatype"));
        assertTrue(refusal("{\"inputs\": [{\"name\": \"images\", \"shape\": \"1x4\", \"datatype\": \"FP32\", \"data\": []}]}")
                .contains("inputs[0].shape"));
        assertTrue(refusal("{\"inputs\": [{\"name\": \"images\", \"shape\": [1, -2], \"datatype\": \"FP32\", \"data\": []}]}")
                .contains("inputs[0].shape[1] is -2"));
        assertTrue(refusal("{\"inputs\": [{\"name\": \"images\", \"shape\": [1.5], \"datatype\": \"FP32\", \"data\": []}]}")
                .contains("shape[0]"));
        assertTrue(refusal("{\"inputs\": [{\"name\": \"images\", \"shape\": [1], \"datatype\": \"FP32\"}]}")
                .contains("inputs[0].data is missing"));
        assertTrue(refusal("{\"inputs\": [], \"outputs\": [\"logits\"]}").contains("outputs[0]"));
        assertTrue(refusal("{\"inputs\": [], \"parameters\": [1]}").contains("'parameters'"));
        assertTrue(refusal("{\"id\": 5, \"inputs\": []}").contains("'id'"));
    }
}
