package org.supcon.trainer.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OffsetsFileTest {

    @TempDir
    Path dir;

    @Test
    void savedOffsetsAreReadBackMerged() throws IOException {
        OffsetsFile file = OffsetsFile.read(dir);
        assertEquals(Map.of(), file.offsets(), "no file: replay from the start");
        file.save(Map.of("labeled-images-0", 10L, "labeled-images-1", 3L));
        file.save(Map.of("labeled-images-0", 25L));
        assertEquals(Map.of("labeled-images-0", 25L, "labeled-images-1", 3L), OffsetsFile.read(dir).offsets());
    }

    @Test
    void aRefusedSaveLeavesTheFileAsItWas() throws IOException {
        OffsetsFile file = OffsetsFile.read(dir);
        file.save(Map.of("labeled-images-0", 10L));
        byte[] before = Files.readAllBytes(dir.resolve(OffsetsFile.FILE));
        assertThrows(IllegalArgumentException.class, () -> file.save(Map.of(" ", 1L)));
        assertThrows(IllegalArgumentException.class, () -> file.save(Map.of("labeled-images-0", 11L, "labeled-images-1", -1L)));
        assertEquals(new String(before), Files.readString(dir.resolve(OffsetsFile.FILE)));
        assertEquals(Map.of("labeled-images-0", 10L), file.offsets());
    }

    @Test
    void anUnreadableFileSaysHowToRecover() throws IOException {
        Files.writeString(dir.resolve(OffsetsFile.FILE), "{\"labeled-images-0\": -4}");
        IOException e = assertThrows(IOException.class, () -> OffsetsFile.read(dir));
        assertTrue(e.getMessage().contains("not a non-negative integer"), e.getMessage());
        assertTrue(e.getMessage().contains("delete it to replay the topic from the start"), e.getMessage());

        Files.writeString(dir.resolve(OffsetsFile.FILE), "[1, 2]");
        assertTrue(assertThrows(IOException.class, () -> OffsetsFile.read(dir)).getMessage().contains("not a JSON object"));
    }
}
