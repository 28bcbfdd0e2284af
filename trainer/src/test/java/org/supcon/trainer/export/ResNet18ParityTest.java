package org.supcon.trainer.export;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.supcon.trainer.images.ImageGeometry;
import org.supcon.trainer.model.EncoderType;
import org.supcon.trainer.model.SupConNet;

class ResNet18ParityTest {

    @Test
    void rgb32ContrastiveWithLinearProbe() {
        ImageGeometry g = new ImageGeometry(3, 32, 32);
        try (NDManager manager = NDManager.newBaseManager()) {
            SupConNet net = ExportFixtures.net(manager, EncoderType.RESNET18, g, true, 31);
            ExportFixtures.assertParity(manager, net,
                    ExportFixtures.classifier(net.featureDim(), 32), g, 64, 64);
        }
    }

    @Test
    void gray28CrossEntropyWithOwnClassifier() {
        ImageGeometry g = new ImageGeometry(1, 28, 28);
        try (NDManager manager = NDManager.newBaseManager()) {
            SupConNet net = ExportFixtures.net(manager, EncoderType.RESNET18, g, false, 33);
            ExportFixtures.assertParity(manager, net, null, g, 64, 64);
        }
    }
}
