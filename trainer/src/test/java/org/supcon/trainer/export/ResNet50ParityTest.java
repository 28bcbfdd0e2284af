package org.supcon.trainer.export;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.trainer.model.EncoderType;
import org.supcon.trainer.model.SupConNet;

/** ResNet-50 is slow on two cores: one network, a small batch, both classifier kinds. */
class ResNet50ParityTest {

    @Test
    void rgb32BottleneckEncoderWithOwnClassifierAndWithLinearProbe() {
        ImageGeometry g = new ImageGeometry(3, 32, 32);
        try (NDManager manager = NDManager.newBaseManager()) {
            SupConNet net = ExportFixtures.net(manager, EncoderType.RESNET50, g, false, 41);
            ExportFixtures.assertParity(manager, net, null, g, 6, 6);
            ExportFixtures.assertParity(manager, net,
                    ExportFixtures.classifier(net.featureDim(), 42), g, 6, 6);
        }
    }
}
