package org.supcon.inference.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.supcon.inference.config.InferenceConfig.Device;
import org.supcon.inference.testing.TestModels;

/**
 * Provider choice with the artifact on the class path. The default build has the CPU artifact,
 * where {@code cuda} must fail and {@code auto} fall back; under {@code -Pcuda} the same tests
 * check the GPU artifact: without the CUDA libraries the reason names the one missing, on a GPU
 * machine CUDA is taken.
 */
class SessionFactoryTest {

    static final boolean CUDA_BUILD = OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);

    @Test
    void cpuIsAlwaysCpuAndRunsAModel() throws Exception {
        SessionFactory f = new SessionFactory(Device.CPU, OptionalInt.of(1), false);
        assertEquals("CPU", f.providerName());
        try (OrtSession s = f.create(TestModels.model(1))) {
            assertEquals(1, s.getInputInfo().size());
        }
    }

    @Test
    void withoutSpinningTheSameModelGivesTheSameOutputs() throws Exception {
        float[][] outputs = new float[2][];
        boolean[] spinning = {true, false};
        for (int i = 0; i < 2; i++) {
            SessionFactory f = new SessionFactory(Device.CPU, OptionalInt.of(2), spinning[i]);
            try (OrtSession s = f.create(TestModels.model(1))) {
                String input = s.getInputNames().iterator().next();
                long[] shape = ((TensorInfo) s.getInputInfo().get(input).getInfo()).getShape();
                shape[0] = 4;
                float[] pixels = new float[(int) (4 * shape[1] * shape[2] * shape[3])];
                for (int p = 0; p < pixels.length; p++) {
                    pixels[p] = (p * 31) % 256;
                }
                try (OnnxTensor in = OnnxTensor.createTensor(f.env(), FloatBuffer.wrap(pixels), shape);
                        OrtSession.Result out = s.run(Map.of(input, in))) {
                    outputs[i] = ((OnnxTensor) out.get(0)).getFloatBuffer().array();
                }
            }
        }
        assertTrue(outputs[0].length > 0);
        assertArrayEquals(outputs[0], outputs[1], 1e-6f);
    }

    @Test
    void cpuNeedsNoReason() {
        assertEquals(Optional.empty(), new SessionFactory(Device.CPU, OptionalInt.empty(), false).cpuReason());
    }

    /**
     * {@code cuda} fails at start and {@code auto} runs on the CPU for the same reason, which names
     * the library at fault. The CPU jar (default build): the CUDA provider library is not in it and
     * {@code -Pcuda} is the fix. The GPU jar ({@code -Pcuda}) on a machine without the CUDA
     * libraries (this one): the system loader's error for the extracted provider library, which
     * names the CUDA library it cannot open. On a GPU machine both take CUDA.
     */
    @Test
    void autoFallsBackToCpuWithoutCudaAndCudaRefusesToStartNamingTheLibrary() {
        SessionFactory auto = new SessionFactory(Device.AUTO, OptionalInt.empty(), false);
        if (!CUDA_BUILD) {
            assertEquals("CPU", auto.providerName());
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> new SessionFactory(Device.CUDA, OptionalInt.empty(), false));
            assertTrue(e.getMessage().contains("inference.device=cuda") && e.getMessage().contains("-Pcuda")
                    && e.getMessage().contains("libonnxruntime_providers_cuda.so"), e.getMessage());
            String reason = auto.cpuReason().orElseThrow();
            assertTrue(e.getMessage().contains(reason), reason + " | " + e.getMessage());
        } else if (auto.providerName().equals("CPU")) {
            // the GPU artifact without usable CUDA libraries
            String reason = auto.cpuReason().orElseThrow();
            assertTrue(MISSING_LIBRARY.matcher(reason).find() && reason.contains("libonnxruntime_providers_cuda.so"),
                    "the reason names neither the provider library nor the CUDA library it lacks: " + reason);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> new SessionFactory(Device.CUDA, OptionalInt.empty(), false));
            assertTrue(e.getMessage().contains("inference.device=cuda") && e.getMessage().contains(reason),
                    reason + " | " + e.getMessage());
        } else {
            assertEquals(Optional.empty(), auto.cpuReason());
            assertEquals("CUDA", new SessionFactory(Device.CUDA, OptionalInt.empty(), false).providerName());
        }
    }

    /** The dynamic loader's "libX.so.N: cannot open shared object file" naming a library. */
    static final Pattern MISSING_LIBRARY = Pattern.compile("lib[\\w+.-]+\\.so[.0-9]*: cannot open shared object file");
}
