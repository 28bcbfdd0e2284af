package org.supcon.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EncoderTypeTest {

    @Test
    void parsesCliNames() {
        assertEquals(EncoderType.SMALL_RESNET, EncoderType.fromName("small-resnet"));
        assertEquals(EncoderType.RESNET18, EncoderType.fromName("resnet18"));
        assertEquals(EncoderType.RESNET50, EncoderType.fromName(" ResNet50 "));
        for (EncoderType type : EncoderType.values()) {
            assertEquals(type, EncoderType.fromName(type.cliName()));
        }
    }

    @Test
    void unknownNameListsTheValidOnes() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> EncoderType.fromName("bogus"));
        String message = e.getMessage();
        assertTrue(message.contains("'bogus'"), message);
        for (String name : new String[] {"small-resnet", "resnet18", "resnet50"}) {
            assertTrue(message.contains(name), message);
        }
        assertThrows(IllegalArgumentException.class, () -> EncoderType.fromName(null));
    }

    @Test
    void featureDimIsLastWidthTimesExpansion() {
        assertEquals(128, EncoderType.SMALL_RESNET.featureDim());
        assertEquals(512, EncoderType.RESNET18.featureDim());
        assertEquals(2048, EncoderType.RESNET50.featureDim());
    }

    @Test
    void headTypeParsesAndListsNames() {
        assertEquals(HeadType.MLP, HeadType.fromName("mlp"));
        assertEquals(HeadType.LINEAR, HeadType.fromName("LINEAR"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> HeadType.fromName("deep"));
        assertTrue(e.getMessage().contains("mlp, linear"), e.getMessage());
    }
}
