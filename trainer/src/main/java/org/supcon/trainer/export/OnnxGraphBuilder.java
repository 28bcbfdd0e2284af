package org.supcon.trainer.export;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.supcon.trainer.export.OnnxGraph.Attribute;
import org.supcon.trainer.export.OnnxGraph.Dim;
import org.supcon.trainer.export.OnnxGraph.ElemType;
import org.supcon.trainer.export.OnnxGraph.Initializer;
import org.supcon.trainer.export.OnnxGraph.Node;
import org.supcon.trainer.export.OnnxGraph.ValueInfo;

/**
 * Builds an {@link OnnxGraph} one node at a time. Pure Java, no DJL.
 *
 * <p>Names are made unique here: every method takes a base name and returns the name actually
 * used ({@code base}, or {@code base_2}, {@code base_3}, ... on a clash), separately for values
 * and for nodes. A node may only consume values that already exist (inputs, initializers, earlier
 * node outputs), so the node list is topologically sorted by construction.
 */
public final class OnnxGraphBuilder {

    private final String graphName;
    private final List<Node> nodes = new ArrayList<>();
    private final List<Initializer> initializers = new ArrayList<>();
    private final List<ValueInfo> inputs = new ArrayList<>();
    private final List<ValueInfo> outputs = new ArrayList<>();
    private final Set<String> values = new HashSet<>();
    private final Set<String> nodeNames = new HashSet<>();

    /**
     * Starts an empty graph.
     *
     * @param graphName the graph's name
     */
    public OnnxGraphBuilder(String graphName) {
        if (graphName == null || graphName.isBlank()) {
            throw new IllegalArgumentException("an ONNX graph needs a name");
        }
        this.graphName = graphName;
    }

    /**
     * Declares a runtime input under exactly {@code name}.
     *
     * @param name the input name; must not be taken
     * @param type the element type
     * @param dims the shape, fixed or symbolic per dimension
     * @return {@code name}
     */
    public String input(String name, ElemType type, Dim... dims) {
        claimValue(name);
        inputs.add(new ValueInfo(name, type, List.of(dims)));
        return name;
    }

    /**
     * Adds a float constant.
     *
     * @param baseName the wanted name
     * @param dims the shape; empty for a scalar
     * @param data the elements, row-major
     * @return the unique value name
     */
    public String initializer(String baseName, long[] dims, float[] data) {
        ByteBuffer raw = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(data);
        return addInitializer(baseName, ElemType.FLOAT, dims, raw.array());
    }

    /**
     * Adds an int64 constant (shapes, indices).
     *
     * @param baseName the wanted name
     * @param dims the shape; empty for a scalar
     * @param data the elements, row-major
     * @return the unique value name
     */
    public String initializer(String baseName, long[] dims, long[] data) {
        ByteBuffer raw = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        raw.asLongBuffer().put(data);
        return addInitializer(baseName, ElemType.INT64, dims, raw.array());
    }

    private String addInitializer(String baseName, ElemType type, long[] dims, byte[] raw) {
        String name = unique(values, baseName);
        Initializer init = new Initializer(name, type, dims, raw);
        values.add(name);
        initializers.add(init);
        return name;
    }

    /**
     * Adds a single-output node; the output gets a fresh name derived from the node's.
     *
     * @param opType the ONNX operator, e.g. {@code Conv}
     * @param baseName the wanted node name, e.g. {@code encoder/02Conv2d/Conv}
     * @param inputs existing value names ({@code ""} skips an optional input)
     * @param attributes the attributes
     * @return the output value name
     */
    public String node(String opType, String baseName, List<String> inputs,
            Attribute... attributes) {
        String nodeName = unique(nodeNames, baseName);
        String output = unique(values, nodeName + "_output");
        addNode(opType, nodeName, inputs, output, attributes);
        return output;
    }

    /**
     * Adds a single-output node whose output is named exactly {@code output}, as graph outputs
     * must be.
     *
     * @param opType the ONNX operator
     * @param baseName the wanted node name
     * @param output the output value name; must not be taken
     * @param inputs existing value names
     * @param attributes the attributes
     * @return {@code output}
     */
    public String nodeWithOutput(String opType, String baseName, String output,
            List<String> inputs, Attribute... attributes) {
        if (values.contains(output)) {
            throw new IllegalArgumentException("value name " + output + " is already taken");
        }
        addNode(opType, unique(nodeNames, baseName), inputs, output, attributes);
        return output;
    }

    private void addNode(String opType, String nodeName, List<String> in, String output,
            Attribute... attributes) {
        if (opType == null || opType.isBlank()) {
            throw new IllegalArgumentException("node " + nodeName + " needs an op type");
        }
        for (String value : in) {
            if (!value.isEmpty() && !values.contains(value)) {
                throw new IllegalArgumentException(
                        "node " + nodeName + " (" + opType + ") consumes " + value
                                + ", which no input, initializer or earlier node produces");
            }
        }
        Set<String> attributeNames = new HashSet<>();
        for (Attribute a : attributes) {
            if (!attributeNames.add(a.name())) {
                throw new IllegalArgumentException(
                        "node " + nodeName + " sets attribute " + a.name() + " twice");
            }
        }
        claimValue(output);
        nodeNames.add(nodeName);
        nodes.add(new Node(nodeName, opType, in, List.of(output), List.of(attributes)));
    }

    /**
     * Declares an existing value as a graph output.
     *
     * @param name the value name, produced by a node
     * @param type the element type
     * @param dims the shape
     */
    public void output(String name, ElemType type, Dim... dims) {
        if (!values.contains(name)) {
            throw new IllegalArgumentException("output " + name + " is not produced by the graph");
        }
        for (ValueInfo o : outputs) {
            if (o.name().equals(name)) {
                throw new IllegalArgumentException("output " + name + " is declared twice");
            }
        }
        outputs.add(new ValueInfo(name, type, List.of(dims)));
    }

    /**
     * The graph so far.
     *
     * @return the graph; needs at least one input and one output
     */
    public OnnxGraph build() {
        if (inputs.isEmpty() || outputs.isEmpty()) {
            throw new IllegalStateException(
                    "graph " + graphName + " needs at least one input and one output, has "
                            + inputs.size() + " and " + outputs.size());
        }
        return new OnnxGraph(graphName, nodes, initializers, inputs, outputs);
    }

    private void claimValue(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a value needs a non-empty name");
        }
        if (!values.add(name)) {
            throw new IllegalArgumentException("value name " + name + " is already taken");
        }
    }

    private static String unique(Set<String> taken, String base) {
        if (base == null || base.isEmpty()) {
            throw new IllegalArgumentException("a name must not be empty");
        }
        if (!taken.contains(base)) {
            return base;
        }
        for (int k = 2; ; k++) {
            String candidate = base + "_" + k;
            if (!taken.contains(candidate)) {
                return candidate;
            }
        }
    }

    @Override
    public String toString() {
        return "OnnxGraphBuilder(" + graphName + ", " + nodes.size() + " nodes, "
                + initializers.size() + " initializers, inputs " + names(inputs) + ", outputs "
                + names(outputs) + ")";
    }

    private static String names(List<ValueInfo> infos) {
        return Arrays.toString(infos.stream().map(ValueInfo::name).toArray());
    }
}
