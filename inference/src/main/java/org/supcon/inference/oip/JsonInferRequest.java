package org.supcon.inference.oip;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The OIP v2 REST inference request ({@code $inference_request}), read from the body with
 * every structural problem named: malformed JSON, a missing or mistyped field, a shape that is
 * not a list of non-negative integers.
 *
 * @param id the request id, echoed; null when absent
 * @param outputs the requested output names; empty for all
 */
public record JsonInferRequest(String id, List<Input> inputs, List<String> outputs) {

    /** One {@code $request_input}; {@code data} is checked against the shape when decoded. */
    public record Input(String name, String datatype, long[] shape, JsonNode data) {
    }

    public static JsonInferRequest parse(ObjectMapper mapper, byte[] body) {
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (JsonProcessingException e) {
            // the original message without Jackson's source description; the location as line/column
            String message = e.getOriginalMessage().replaceAll(" \\(start marker at \\[Source.*", "");
            String at = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            throw OipException.invalid("malformed JSON: " + message + at);
        } catch (IOException e) {
            throw OipException.invalid("unreadable body: " + e.getMessage());
        }
        if (root == null || root.isMissingNode() || !root.isObject()) {
            throw OipException.invalid("the body must be a JSON object with 'inputs'");
        }
        String id = null;
        JsonNode idNode = root.get("id");
        if (idNode != null && !idNode.isNull()) {
            id = requireText(idNode, "'id'");
        }
        JsonNode params = root.get("parameters");
        if (params != null && !params.isNull() && !params.isObject()) {
            throw OipException.invalid("'parameters' must be an object");
        }
        JsonNode inputsNode = root.get("inputs");
        if (inputsNode == null || !inputsNode.isArray()) {
            throw OipException.invalid("'inputs' must be an array of input tensors");
        }
        List<Input> inputs = new ArrayList<>();
        for (int i = 0; i < inputsNode.size(); i++) {
            inputs.add(input(inputsNode.get(i), "inputs[" + i + "]"));
        }
        List<String> outputs = new ArrayList<>();
        JsonNode outputsNode = root.get("outputs");
        if (outputsNode != null && !outputsNode.isNull()) {
            if (!outputsNode.isArray()) {
                throw OipException.invalid("'outputs' must be an array of {\"name\": ...}");
            }
            for (int i = 0; i < outputsNode.size(); i++) {
                JsonNode o = outputsNode.get(i);
                if (!o.isObject()) {
                    throw OipException.invalid("outputs[" + i + "] must be an object with 'name'");
                }
                outputs.add(requireText(o.get("name"), "outputs[" + i + "].name"));
            }
        }
        return new JsonInferRequest(id, inputs, outputs);
    }

    private static Input input(JsonNode node, String where) {
        if (!node.isObject()) {
            throw OipException.invalid(where + " must be an object with name, shape, datatype and data");
        }
        String name = requireText(node.get("name"), where + ".name");
        String datatype = requireText(node.get("datatype"), where + ".datatype");
        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw OipException.invalid(where + ".shape must be an array of integers");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
                throw OipException.invalid(where + ".shape[" + i + "] is " + d + "; dimensions are integers >= 0");
            }
            shape[i] = d.asLong();
        }
        JsonNode data = node.get("data");
        if (data == null) {
            throw OipException.invalid(where + ".data is missing");
        }
        return new Input(name, datatype, shape, data);
    }

    private static String requireText(JsonNode node, String what) {
        if (node == null || !node.isTextual()) {
            throw OipException.invalid(what + " must be a string");
        }
        return node.asText();
    }
}
