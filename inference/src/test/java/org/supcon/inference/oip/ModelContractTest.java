package org.supcon.inference.oip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.supcon.common.model.OnnxContract;
import org.supcon.inference.model.InferenceResult;

class ModelContractTest {

    @Test
    void metadataFollowsTheModelGeometry() {
        TestModel model = new TestModel("m", 1, 3, 32, 24, List.of("x", "y"), 16);
        ModelContract.TensorMetadata in = ModelContract.inputs(model).get(0);
        assertEquals("images", in.name());
        assertArrayEquals(new long[] {-1, 3, 32, 24}, in.shape());
        List<ModelContract.TensorMetadata> outs = ModelContract.outputs(model);
        assertEquals(List.of("embedding", "logits", "probabilities"), outs.stream().map(ModelContract.TensorMetadata::name).toList());
        assertArrayEquals(new long[] {-1, 16}, outs.get(0).shape());
        assertArrayEquals(new long[] {-1, 2}, outs.get(2).shape());
    }

    @Test
    void noRequestedOutputsMeansAllAndNamedOnesKeepTheirOrder() {
        assertEquals(OnnxContract.OUTPUTS, ModelContract.selectOutputs(List.of()));
        assertEquals(OnnxContract.OUTPUTS, ModelContract.selectOutputs(null));
        assertEquals(List.of("probabilities", "embedding"), ModelContract.selectOutputs(List.of("probabilities", "embedding")));
    }

    @Test
    void unknownOrRepeatedOutputsAreRefused() {
        OipException unknown = assertThrows(OipException.class, () -> ModelContract.selectOutputs(List.of("scores")));
        assertTrue(unknown.getMessage().contains("'scores'"), unknown.getMessage());
        assertThrows(OipException.class, () -> ModelContract.selectOutputs(List.of("logits", "logits")));
    }

    @Test
    void outputsAreSlicedFromTheResultWithTheirShapes() {
        InferenceResult r = new InferenceResult(2, 3, 2, new float[] {1, 2, 3, 4, 5, 6}, new float[] {7, 8, 9, 10},
                new float[] {.5f, .5f, .25f, .75f});
        List<OutputTensor> outs = OutputTensor.select(r, List.of("probabilities", "embedding"));
        assertEquals("probabilities", outs.get(0).name());
        assertArrayEquals(new long[] {2, 2}, outs.get(0).shape());
        assertArrayEquals(new float[] {.5f, .5f, .25f, .75f}, outs.get(0).data());
        assertArrayEquals(new long[] {2, 3}, outs.get(1).shape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, outs.get(1).data());
        assertEquals("FP32", outs.get(1).datatype());

        ByteBuffer raw = ByteBuffer.wrap(outs.get(1).littleEndian()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(24, raw.remaining());
        float[] back = new float[6];
        raw.asFloatBuffer().get(back);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, back);
    }
}
