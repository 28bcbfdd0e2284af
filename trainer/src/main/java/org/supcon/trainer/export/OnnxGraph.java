package org.supcon.trainer.export;

import java.util.Arrays;
import java.util.List;

/**
 * An ONNX graph as plain values, in the order ONNX wants them: nodes topologically sorted,
 * initializers, declared inputs and outputs. Built by {@link OnnxGraphBuilder}, serialised by
 * {@link OnnxModelWriter}.
 *
 * @param name the graph name
 * @param nodes the operators, each input produced before it is consumed
 * @param initializers the constant tensors (weights), not listed among {@code inputs}
 * @param inputs the runtime inputs
 * @param outputs the graph outputs, each produced by a node
 */
public record OnnxGraph(
        String name,
        List<Node> nodes,
        List<Initializer> initializers,
        List<ValueInfo> inputs,
        List<ValueInfo> outputs) {

    /** Copies the lists so the graph cannot change after it was built. */
    public OnnxGraph {
        nodes = List.copyOf(nodes);
        initializers = List.copyOf(initializers);
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /**
     * The ONNX {@code TensorProto.DataType}s this exporter uses; {@link OnnxModelWriter} maps
     * them to the schema's numbers.
     */
    public enum ElemType {
        /** 32-bit float. */
        FLOAT(4),
        /** 64-bit signed integer. */
        INT64(8);

        private final int bytes;

        ElemType(int bytes) {
            this.bytes = bytes;
        }

        /**
         * Bytes per element in {@code raw_data}.
         *
         * @return 4 or 8
         */
        public int bytes() {
            return bytes;
        }
    }

    /**
     * One dimension of a declared input or output: a fixed size or a symbolic name.
     *
     * @param value the size when fixed, else -1
     * @param param the symbolic name (e.g. {@code "N"}) when dynamic, else null
     */
    public record Dim(long value, String param) {

        /** Exactly one of value and param is set. */
        public Dim {
            if ((param == null) == (value < 0)) {
                throw new IllegalArgumentException(
                        "a dimension is either a size >= 0 or a symbolic name, got " + value
                                + " and " + param);
            }
            if (param != null && param.isBlank()) {
                throw new IllegalArgumentException("a symbolic dimension needs a name");
            }
        }

        /**
         * A fixed dimension.
         *
         * @param value the size, 0 or more
         * @return the dimension
         */
        public static Dim of(long value) {
            if (value < 0) {
                throw new IllegalArgumentException("a dimension size must be >= 0, got " + value);
            }
            return new Dim(value, null);
        }

        /**
         * A dynamic dimension.
         *
         * @param name the symbolic name, e.g. {@code "N"}
         * @return the dimension
         */
        public static Dim param(String name) {
            return new Dim(-1, name);
        }

        @Override
        public String toString() {
            return param != null ? param : Long.toString(value);
        }
    }

    /**
     * A declared graph input or output.
     *
     * @param name the value name
     * @param type the element type
     * @param dims the shape
     */
    public record ValueInfo(String name, ElemType type, List<Dim> dims) {

        /** Copies the dimensions. */
        public ValueInfo {
            dims = List.copyOf(dims);
        }
    }

    /**
     * A constant tensor.
     *
     * @param name the value name
     * @param type the element type
     * @param dims the shape; empty for a scalar
     * @param rawData the elements, little-endian, {@code type.bytes()} each; shared, not copied
     *     (weights can be tens of megabytes), so callers must not modify it
     */
    public record Initializer(String name, ElemType type, long[] dims, byte[] rawData) {

        /** Checks that the data fill the shape. */
        public Initializer {
            long count = 1;
            for (long d : dims) {
                if (d < 0) {
                    throw new IllegalArgumentException(
                            "initializer " + name + " has a negative dimension: "
                                    + Arrays.toString(dims));
                }
                count *= d;
            }
            if (count * type.bytes() != rawData.length) {
                throw new IllegalArgumentException(
                        "initializer " + name + " of shape " + Arrays.toString(dims) + " needs "
                                + count * type.bytes() + " bytes of " + type + ", got "
                                + rawData.length);
            }
            dims = dims.clone();
        }

        @Override
        public long[] dims() {
            return dims.clone();
        }

        /**
         * The number of elements.
         *
         * @return the product of the dimensions
         */
        public long elementCount() {
            return rawData.length / type.bytes();
        }
    }

    /**
     * An operator.
     *
     * @param name the unique node name
     * @param opType the ONNX operator, e.g. {@code Conv}
     * @param inputs input value names; an empty string skips an optional input
     * @param outputs output value names
     * @param attributes the operator's attributes
     */
    public record Node(
            String name,
            String opType,
            List<String> inputs,
            List<String> outputs,
            List<Attribute> attributes) {

        /** Copies the lists. */
        public Node {
            inputs = List.copyOf(inputs);
            outputs = List.copyOf(outputs);
            attributes = List.copyOf(attributes);
        }
    }

    /** A node attribute; each kind maps to one {@code AttributeProto.AttributeType}. */
    public sealed interface Attribute
            permits Attribute.Int, Attribute.Float, Attribute.Str, Attribute.Ints,
                    Attribute.Floats {

        /**
         * The attribute name.
         *
         * @return e.g. {@code kernel_shape}
         */
        String name();

        /**
         * An INT attribute.
         *
         * @param name the name
         * @param value the value
         * @return the attribute
         */
        static Attribute of(String name, long value) {
            return new Int(name, value);
        }

        /**
         * A FLOAT attribute.
         *
         * @param name the name
         * @param value the value
         * @return the attribute
         */
        static Attribute of(String name, float value) {
            return new Float(name, value);
        }

        /**
         * A STRING attribute (UTF-8).
         *
         * @param name the name
         * @param value the value
         * @return the attribute
         */
        static Attribute of(String name, String value) {
            return new Str(name, value);
        }

        /**
         * An INTS attribute.
         *
         * @param name the name
         * @param values the values
         * @return the attribute
         */
        static Attribute ints(String name, long... values) {
            return new Ints(name, values);
        }

        /**
         * A FLOATS attribute.
         *
         * @param name the name
         * @param values the values
         * @return the attribute
         */
        static Attribute floats(String name, float... values) {
            return new Floats(name, values);
        }

        /** An INT attribute. */
        record Int(String name, long value) implements Attribute {}

        /** A FLOAT attribute. */
        record Float(String name, float value) implements Attribute {}

        /** A STRING attribute. */
        record Str(String name, String value) implements Attribute {}

        /** An INTS attribute. */
        record Ints(String name, long[] values) implements Attribute {
            /** Copies the values. */
            public Ints {
                values = values.clone();
            }

            @Override
            public long[] values() {
                return values.clone();
            }
        }

        /** A FLOATS attribute. */
        record Floats(String name, float[] values) implements Attribute {
            /** Copies the values. */
            public Floats {
                values = values.clone();
            }

            @Override
            public float[] values() {
                return values.clone();
            }
        }
    }
}
