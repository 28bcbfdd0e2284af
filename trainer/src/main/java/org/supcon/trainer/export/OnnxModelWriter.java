package org.supcon.trainer.export;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.util.Map;
import org.supcon.common.model.OnnxContract;
import org.supcon.trainer.export.OnnxGraph.Attribute;
import org.supcon.trainer.export.OnnxGraph.Dim;
import org.supcon.trainer.export.OnnxGraph.ElemType;
import org.supcon.trainer.export.OnnxGraph.Initializer;
import org.supcon.trainer.export.OnnxGraph.Node;
import org.supcon.trainer.export.OnnxGraph.ValueInfo;
import org.supcon.trainer.export.onnx.Onnx.AttributeProto;
import org.supcon.trainer.export.onnx.Onnx.AttributeProto.AttributeType;
import org.supcon.trainer.export.onnx.Onnx.GraphProto;
import org.supcon.trainer.export.onnx.Onnx.ModelProto;
import org.supcon.trainer.export.onnx.Onnx.NodeProto;
import org.supcon.trainer.export.onnx.Onnx.OperatorSetIdProto;
import org.supcon.trainer.export.onnx.Onnx.StringStringEntryProto;
import org.supcon.trainer.export.onnx.Onnx.TensorProto;
import org.supcon.trainer.export.onnx.Onnx.TensorProto.DataType;
import org.supcon.trainer.export.onnx.Onnx.TensorShapeProto;
import org.supcon.trainer.export.onnx.Onnx.TypeProto;
import org.supcon.trainer.export.onnx.Onnx.ValueInfoProto;

/**
 * Serialises an {@link OnnxGraph} to an ONNX {@code ModelProto} (IR version {@value
 * #IR_VERSION}, default-domain opset {@value #OPSET}, producer {@value #PRODUCER_NAME}).
 *
 * <p>The messages are protoc's, generated from {@code src/main/onnx-proto/onnx_subset.proto}: the
 * fields of onnx.proto this writer sets, with the official numbers, so the field numbers live in
 * one schema rather than in this class.
 */
public final class OnnxModelWriter {

    /** The ONNX IR version written. */
    public static final long IR_VERSION = OnnxContract.IR_VERSION;

    /** The version of the default ({@code ai.onnx}) operator set the graph uses. */
    public static final long OPSET = OnnxContract.OPSET;

    /** The {@code producer_name}. */
    public static final String PRODUCER_NAME = "supcon";

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
        ModelProto.Builder model = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName(PRODUCER_NAME)
                .setGraph(graph(graph))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET));
        if (docString != null) {
            model.setDocString(docString);
        }
        for (Map.Entry<String, String> e : metadataProps.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new IllegalArgumentException(
                        "metadata entries need a key and a value, got " + e.getKey() + "="
                                + e.getValue());
            }
            model.addMetadataProps(
                    StringStringEntryProto.newBuilder().setKey(e.getKey()).setValue(e.getValue()));
        }
        return model.build().toByteArray();
    }

    private static GraphProto graph(OnnxGraph graph) {
        GraphProto.Builder g = GraphProto.newBuilder().setName(graph.name());
        graph.nodes().forEach(n -> g.addNode(node(n)));
        graph.initializers().forEach(i -> g.addInitializer(tensor(i)));
        graph.inputs().forEach(in -> g.addInput(valueInfo(in)));
        graph.outputs().forEach(out -> g.addOutput(valueInfo(out)));
        return g.build();
    }

    private static NodeProto node(Node node) {
        NodeProto.Builder n = NodeProto.newBuilder()
                .addAllInput(node.inputs())
                .addAllOutput(node.outputs())
                .setName(node.name())
                .setOpType(node.opType());
        node.attributes().forEach(a -> n.addAttribute(attribute(a)));
        return n.build();
    }

    private static AttributeProto attribute(Attribute a) {
        AttributeProto.Builder m = AttributeProto.newBuilder().setName(a.name());
        if (a instanceof Attribute.Int i) {
            m.setI(i.value()).setType(AttributeType.INT);
        } else if (a instanceof Attribute.Float f) {
            m.setF(f.value()).setType(AttributeType.FLOAT);
        } else if (a instanceof Attribute.Str s) {
            m.setS(ByteString.copyFromUtf8(s.value())).setType(AttributeType.STRING);
        } else if (a instanceof Attribute.Ints ints) {
            for (long v : ints.values()) {
                m.addInts(v);
            }
            m.setType(AttributeType.INTS);
        } else if (a instanceof Attribute.Floats floats) {
            for (float v : floats.values()) {
                m.addFloats(v);
            }
            m.setType(AttributeType.FLOATS);
        } else {
            throw new IllegalArgumentException("unknown attribute kind " + a);
        }
        return m.build();
    }

    private static TensorProto tensor(Initializer init) {
        TensorProto.Builder t = TensorProto.newBuilder();
        for (long d : init.dims()) {
            t.addDims(d);
        }
        // wrapped, not copied: the weights can be tens of megabytes and Initializer shares them
        return t.setDataType(dataType(init.type()).getNumber())
                .setName(init.name())
                .setRawData(UnsafeByteOperations.unsafeWrap(init.rawData()))
                .build();
    }

    private static ValueInfoProto valueInfo(ValueInfo info) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Dim d : info.dims()) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d.param() != null) {
                dim.setDimParam(d.param());
            } else {
                dim.setDimValue(d.value());
            }
            shape.addDim(dim);
        }
        TypeProto.Tensor tensorType = TypeProto.Tensor.newBuilder()
                .setElemType(dataType(info.type()).getNumber())
                .setShape(shape)
                .build();
        return ValueInfoProto.newBuilder()
                .setName(info.name())
                .setType(TypeProto.newBuilder().setTensorType(tensorType))
                .build();
    }

    private static DataType dataType(ElemType type) {
        return switch (type) {
            case FLOAT -> DataType.FLOAT;
            case INT64 -> DataType.INT64;
        };
    }
}
