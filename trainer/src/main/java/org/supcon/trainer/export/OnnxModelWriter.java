package org.supcon.trainer.export;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.supcon.common.model.OnnxContract;
import org.supcon.trainer.export.OnnxGraph.Attribute;
import org.supcon.trainer.export.OnnxGraph.Dim;
import org.supcon.trainer.export.OnnxGraph.Initializer;
import org.supcon.trainer.export.OnnxGraph.Node;
import org.supcon.trainer.export.OnnxGraph.ValueInfo;

/**
 * Serialises an {@link OnnxGraph} to an ONNX {@code ModelProto} (IR version {@value
 * #IR_VERSION}, default-domain opset {@value #OPSET}, producer {@value #PRODUCER_NAME}).
 *
 * <p>Field numbers are those of onnx.proto; the messages are written by hand with protobuf's
 * {@code CodedOutputStream} so that no protoc step is needed. Repeated scalars are written
 * unpacked, as proto2 (which onnx.proto is) does by default.
 */
public final class OnnxModelWriter {

    /** The ONNX IR version written. */
    public static final long IR_VERSION = OnnxContract.IR_VERSION;

    /** The version of the default ({@code ai.onnx}) operator set the graph uses. */
    public static final long OPSET = OnnxContract.OPSET;

    /** The {@code producer_name}. */
    public static final String PRODUCER_NAME = "supcon";

    // ModelProto
    private static final int MODEL_IR_VERSION = 1;
    private static final int MODEL_PRODUCER_NAME = 2;
    private static final int MODEL_DOC_STRING = 6;
    private static final int MODEL_GRAPH = 7;
    private static final int MODEL_OPSET_IMPORT = 8;
    private static final int MODEL_METADATA_PROPS = 14;
    // OperatorSetIdProto
    private static final int OPSET_DOMAIN = 1;
    private static final int OPSET_VERSION = 2;
    // StringStringEntryProto
    private static final int ENTRY_KEY = 1;
    private static final int ENTRY_VALUE = 2;
    // GraphProto
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_NAME = 2;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int GRAPH_INPUT = 11;
    private static final int GRAPH_OUTPUT = 12;
    // NodeProto
    private static final int NODE_INPUT = 1;
    private static final int NODE_OUTPUT = 2;
    private static final int NODE_NAME = 3;
    private static final int NODE_OP_TYPE = 4;
    private static final int NODE_ATTRIBUTE = 5;
    // AttributeProto
    private static final int ATTR_NAME = 1;
    private static final int ATTR_F = 2;
    private static final int ATTR_I = 3;
    private static final int ATTR_S = 4;
    private static final int ATTR_FLOATS = 7;
    private static final int ATTR_INTS = 8;
    private static final int ATTR_TYPE = 20;
    // AttributeProto.AttributeType
    private static final int TYPE_FLOAT = 1;
    private static final int TYPE_INT = 2;
    private static final int TYPE_STRING = 3;
    private static final int TYPE_FLOATS = 6;
    private static final int TYPE_INTS = 7;
    // TensorProto
    private static final int TENSOR_DIMS = 1;
    private static final int TENSOR_DATA_TYPE = 2;
    private static final int TENSOR_NAME = 8;
    private static final int TENSOR_RAW_DATA = 9;
    // ValueInfoProto, TypeProto, TypeProto.Tensor, TensorShapeProto(.Dimension)
    private static final int VALUE_INFO_NAME = 1;
    private static final int VALUE_INFO_TYPE = 2;
    private static final int TYPE_TENSOR_TYPE = 1;
    private static final int TENSOR_TYPE_ELEM_TYPE = 1;
    private static final int TENSOR_TYPE_SHAPE = 2;
    private static final int SHAPE_DIM = 1;
    private static final int DIM_VALUE = 1;
    private static final int DIM_PARAM = 2;

    private OnnxModelWriter() {}

    /**
     * Serialises a model.
     *
     * @param graph the graph
     * @param metadataProps written verbatim as {@code metadata_props}, in iteration order
     * @param docString the model's {@code doc_string}, or null for none
     * @return the {@code ModelProto} bytes, loadable by ONNX Runtime and {@code onnx.load}
     */
    public static byte[] write(OnnxGraph graph, Map<String, String> metadataProps,
            String docString) {
        ProtoMessage model = new ProtoMessage()
                .int64(MODEL_IR_VERSION, IR_VERSION)
                .string(MODEL_PRODUCER_NAME, PRODUCER_NAME)
                .string(MODEL_DOC_STRING, docString)
                .message(MODEL_GRAPH, graph(graph))
                .message(MODEL_OPSET_IMPORT, new ProtoMessage()
                        .string(OPSET_DOMAIN, "")
                        .int64(OPSET_VERSION, OPSET));
        for (Map.Entry<String, String> e : metadataProps.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new IllegalArgumentException(
                        "metadata entries need a key and a value, got " + e.getKey() + "="
                                + e.getValue());
            }
            model.message(MODEL_METADATA_PROPS, new ProtoMessage()
                    .string(ENTRY_KEY, e.getKey())
                    .string(ENTRY_VALUE, e.getValue()));
        }
        return model.toByteArray();
    }

    private static ProtoMessage graph(OnnxGraph graph) {
        ProtoMessage g = new ProtoMessage();
        for (Node node : graph.nodes()) {
            g.message(GRAPH_NODE, node(node));
        }
        g.string(GRAPH_NAME, graph.name());
        for (Initializer init : graph.initializers()) {
            g.message(GRAPH_INITIALIZER, tensor(init));
        }
        for (ValueInfo in : graph.inputs()) {
            g.message(GRAPH_INPUT, valueInfo(in));
        }
        for (ValueInfo out : graph.outputs()) {
            g.message(GRAPH_OUTPUT, valueInfo(out));
        }
        return g;
    }

    private static ProtoMessage node(Node node) {
        ProtoMessage n = new ProtoMessage();
        for (String in : node.inputs()) {
            n.string(NODE_INPUT, in);
        }
        for (String out : node.outputs()) {
            n.string(NODE_OUTPUT, out);
        }
        n.string(NODE_NAME, node.name()).string(NODE_OP_TYPE, node.opType());
        for (Attribute a : node.attributes()) {
            n.message(NODE_ATTRIBUTE, attribute(a));
        }
        return n;
    }

    private static ProtoMessage attribute(Attribute a) {
        ProtoMessage m = new ProtoMessage().string(ATTR_NAME, a.name());
        if (a instanceof Attribute.Int i) {
            m.int64(ATTR_I, i.value()).int64(ATTR_TYPE, TYPE_INT);
        } else if (a instanceof Attribute.Float f) {
            m.float32(ATTR_F, f.value()).int64(ATTR_TYPE, TYPE_FLOAT);
        } else if (a instanceof Attribute.Str s) {
            m.bytes(ATTR_S, s.value().getBytes(StandardCharsets.UTF_8))
                    .int64(ATTR_TYPE, TYPE_STRING);
        } else if (a instanceof Attribute.Ints ints) {
            for (long v : ints.values()) {
                m.int64(ATTR_INTS, v);
            }
            m.int64(ATTR_TYPE, TYPE_INTS);
        } else if (a instanceof Attribute.Floats floats) {
            for (float v : floats.values()) {
                m.float32(ATTR_FLOATS, v);
            }
            m.int64(ATTR_TYPE, TYPE_FLOATS);
        } else {
            throw new IllegalArgumentException("unknown attribute kind " + a);
        }
        return m;
    }

    private static ProtoMessage tensor(Initializer init) {
        ProtoMessage t = new ProtoMessage();
        for (long d : init.dims()) {
            t.int64(TENSOR_DIMS, d);
        }
        return t.int64(TENSOR_DATA_TYPE, init.type().code())
                .string(TENSOR_NAME, init.name())
                .bytes(TENSOR_RAW_DATA, init.rawData());
    }

    private static ProtoMessage valueInfo(ValueInfo info) {
        ProtoMessage shape = new ProtoMessage();
        for (Dim d : info.dims()) {
            ProtoMessage dim = new ProtoMessage();
            if (d.param() != null) {
                dim.string(DIM_PARAM, d.param());
            } else {
                dim.int64(DIM_VALUE, d.value());
            }
            shape.message(SHAPE_DIM, dim);
        }
        ProtoMessage tensorType = new ProtoMessage()
                .int64(TENSOR_TYPE_ELEM_TYPE, info.type().code())
                .message(TENSOR_TYPE_SHAPE, shape);
        return new ProtoMessage()
                .string(VALUE_INFO_NAME, info.name())
                .message(VALUE_INFO_TYPE, new ProtoMessage().message(TYPE_TENSOR_TYPE, tensorType));
    }
}
