package org.supcon.inference.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.supcon.inference.config.InferenceConfig.Device;
import org.supcon.inference.testing.TestModels;

/**
 * Provider choice with the artifact on the class path. The default build has the CPU artifact,
 * where {@code cuda} must fail and {@code auto} fall back; under {@code -Pcuda} on a GPU machine
 * the same test checks that CUDA is taken.
 */
class SessionFactoryTest {

    static final boolean CUDA_BUILD = OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);

    @Test
    void cpuIsAlwaysCpuAndRunsAModel() throws Exception {
        SessionFactory f = new SessionFactory(Device.CPU, OptionalInt.of(1));
        assertEquals("CPU", f.providerName());
        try (OrtSession s = f.create(TestModels.model(1))) {
            assertEquals(1, s.getInputInfo().size());
        }
    }

    @Test
    void autoFallsBackToCpuWithoutCudaAndCudaRefusesToStart() {
        SessionFactory auto = new SessionFactory(Device.AUTO, OptionalInt.empty());
        if (!CUDA_BUILD) {
            assertEquals("CPU", auto.providerName());
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> new SessionFactory(Device.CUDA, OptionalInt.empty()));
            assertTrue(e.getMessage().contains("inference.device=cuda") && e.getMessage().contains("-Pcuda"), e.getMessage());
        } else {
            // the GPU artifact: auto takes CUDA when a device answers; cuda agrees with it
            String provider = auto.providerName();
            if (provider.equals("CUDA")) {
                assertEquals("CUDA", new SessionFactory(Device.CUDA, OptionalInt.empty()).providerName());
            } else {
                assertThrows(IllegalStateException.class, () -> new SessionFactory(Device.CUDA, OptionalInt.empty()));
            }
        }
    }
}
