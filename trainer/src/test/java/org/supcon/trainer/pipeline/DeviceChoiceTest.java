package org.supcon.trainer.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

class DeviceChoiceTest {

    @Test
    void autoTakesAGpuWhenThereIsOne() {
        assertEquals(Device.gpu(), DeviceChoice.choose(DeviceChoice.Setting.AUTO, 2));
        assertEquals(Device.cpu(), DeviceChoice.choose(DeviceChoice.Setting.AUTO, 0));
        assertEquals(Device.cpu(), DeviceChoice.choose(DeviceChoice.Setting.CPU, 1));
        assertEquals(Device.gpu(), DeviceChoice.choose(DeviceChoice.Setting.GPU, 1));
    }

    @Test
    void gpuWithoutOneFailsNamingTheSetting() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DeviceChoice.choose(DeviceChoice.Setting.GPU, 0));
        assertTrue(e.getMessage().contains("trainer.device=gpu"), e.getMessage());
    }
}
