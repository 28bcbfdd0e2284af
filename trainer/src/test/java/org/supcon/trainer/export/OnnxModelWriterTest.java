package org.supcon.trainer.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.supcon.trainer.export.OnnxGraph.Attribute;
import org.supcon.trainer.export.OnnxGraph.Dim;
import org.supcon.trainer.export.OnnxGraph.ElemType;
import org.supcon.trainer.export.onnx.Onnx.AttributeProto.AttributeType;
import org.supcon.trainer.export.onnx.Onnx.ModelProto;
import org.supcon.trainer.export.onnx.Onnx.StringStringEntryProto;
import org.supcon.trainer.export.onnx.Onnx.TensorProto;

class OnnxModelWriterTest {

    @TempDir
    Path dir;

    @Test
    void onnxRuntimeRunsAHandWrittenModelAtTwoBatchSizes() throws Exception {
        byte[] model = TinyModels.scaleRelu(new float[] {1, -2, 0.5f}, Map.of("k", "v"));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(model, new OrtSession.SessionOptions())) {
            assertEquals("supcon", session.getMetadata().getProducerName());
            assertEquals("tiny", session.getMetadata().getGraphName());
            assertEquals("a tiny test model", session.getMetadata().getDescription());
            assertEquals(Map.of("k", "v"), session.getMetadata().getCustomMetadata());
            assertArrayEquals(new float[] {4, 0, 1.5f}, run(env, session, new float[] {4, 5, 3}, 1));
            assertArrayEquals(new float[] {0, 2, 0, 1, 0, 2},
                    run(env, session, new float[] {-1, -1, -1, 1, 1, 4}, 2));
        }
    }

    private static float[] run(OrtEnvironment env, OrtSession session, float[] x, int n)
            throws Exception {
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {n, 3});
                OrtSession.Result r = session.run(Map.of("x", t))) {
            FloatBuffer out = ((OnnxTensor) r.get("y").orElseThrow()).getFloatBuffer();
            float[] y = new float[out.remaining()];
            out.get(y);
            return y;
        }
    }

    /** Every attribute kind and an int64 initializer, as the official checker reads them. */
    @Test
    void theOfficialCheckerReadsEveryAttributeKindAndInt64Tensors() throws Exception {
        OnnxGraphBuilder g = new OnnxGraphBuilder("kinds");
        String x = g.input("x", ElemType.FLOAT, Dim.param("N"), Dim.of(1), Dim.of(4), Dim.of(4));
        String w = g.initializer("w", new long[] {2, 1, 3, 3}, new float[18]);
        String conv = g.node("Conv", "conv", List.of(x, w), Attribute.ints("kernel_shape", 3, 3),
                Attribute.of("auto_pad", "SAME_UPPER"), Attribute.of("group", 1L));
        String shape = g.initializer("shape", new long[] {2}, new long[] {-1, 32});
        String flat = g.node("Reshape", "reshape", List.of(conv, shape));
        String lrelu = g.node("LeakyRelu", "lrelu", List.of(flat), Attribute.of("alpha", 0.2f));
        g.nodeWithOutput("Shrink", "shrink", "y", List.of(lrelu), Attribute.of("lambd", 0.1f));
        g.output("y", ElemType.FLOAT, Dim.param("N"), Dim.of(32));
        byte[] model = OnnxModelWriter.write(g.build(), Map.of(), null);
        Path file = dir.resolve("kinds.onnx");
        Files.write(file, model);
        String summary = OnnxChecker.run(
                "import onnx,sys; m=onnx.load(sys.argv[1]); onnx.checker.check_model(m,"
                        + " full_check=True); n=m.graph.node;"
                        + " print(m.producer_name, m.opset_import[0].version, m.ir_version,"
                        + " n[0].attribute[1].s.decode(), list(n[0].attribute[0].ints),"
                        + " round(n[2].attribute[0].f, 3), m.graph.initializer[1].data_type,"
                        + " m.graph.input[0].type.tensor_type.shape.dim[0].dim_param)",
                file.toString());
        assertEquals("supcon 17 8 SAME_UPPER [3, 3] 0.2 7 N", summary);
    }

    /** What the writer promises, read back with the same schema: ONNX readers rely on each. */
    @Test
    void theSchemaReadsBackVersionsTypedAttributesLittleEndianDataAndOrderedMetadata()
            throws Exception {
        OnnxGraphBuilder g = new OnnxGraphBuilder("read-back");
        String x = g.input("x", ElemType.FLOAT, Dim.param("N"), Dim.of(2));
        String s = g.initializer("s", new long[] {2}, new float[] {1.5f, -2});
        g.nodeWithOutput("Mul", "mul", "y", List.of(x, s), Attribute.of("k", 3L));
        g.output("y", ElemType.FLOAT, Dim.param("N"), Dim.of(2));
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("z", "1");
        metadata.put("a", "2");
        ModelProto model = ModelProto.parseFrom(OnnxModelWriter.write(g.build(), metadata, null));
        assertEquals(List.of(8L, 17L, 1), List.of(model.getIrVersion(),
                model.getOpsetImport(0).getVersion(), model.getOpsetImportCount()));
        assertFalse(model.hasDocString());
        assertEquals(List.of("z", "a"), model.getMetadataPropsList().stream()
                .map(StringStringEntryProto::getKey).toList());
        assertEquals(AttributeType.INT, model.getGraph().getNode(0).getAttribute(0).getType());
        TensorProto init = model.getGraph().getInitializer(0);
        assertEquals(TensorProto.DataType.FLOAT_VALUE, init.getDataType());
        ByteBuffer raw = init.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(List.of(1.5f, -2f), List.of(raw.getFloat(), raw.getFloat()));
        assertEquals("N", model.getGraph().getInput(0).getType().getTensorType().getShape()
                .getDim(0).getDimParam());
    }
}
