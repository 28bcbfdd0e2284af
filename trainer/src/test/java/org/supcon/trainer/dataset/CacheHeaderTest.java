package org.supcon.trainer.dataset;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.supcon.trainer.images.ImageGeometry;

class CacheHeaderTest {

    private static final ImageGeometry G = new ImageGeometry(1, 28, 28);

    @TempDir
    Path dir;

    @Test
    void aWrittenHeaderAcceptsItsGeometryOnly() throws IOException {
        CacheHeader.checkOrCreate(dir, G, 0);
        CacheHeader.checkOrCreate(dir, G, 3);
        IOException e = assertThrows(IOException.class, () -> CacheHeader.checkOrCreate(dir, new ImageGeometry(1, 32, 32), 0));
        assertTrue(e.getMessage().contains("holds 1x28x28 images but was opened for 1x32x32"), e.getMessage());
    }

    @Test
    void anotherFormatIsRefused() throws IOException {
        Files.writeString(dir.resolve(CacheHeader.FILE),
                "{\"format\":2,\"geometry\":{\"channels\":1,\"height\":28,\"width\":28}}");
        IOException e = assertThrows(IOException.class, () -> CacheHeader.checkOrCreate(dir, G, 1));
        assertTrue(e.getMessage().contains("has format 2, this trainer reads format 1"), e.getMessage());
    }

    @Test
    void segmentsWithoutAHeaderAreRefused() {
        IOException e = assertThrows(IOException.class, () -> CacheHeader.checkOrCreate(dir, G, 2));
        assertTrue(e.getMessage().contains("has 2 segment file(s) but no cache.json"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve(CacheHeader.FILE)), "no header is made up for them");
    }
}
