package org.supcon.common.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepositoryLayoutTest {

    private static Path version(Path modelDir, String name, boolean model, boolean card) throws Exception {
        Path dir = Files.createDirectories(modelDir.resolve(name));
        if (model) {
            Files.write(dir.resolve(RepositoryLayout.MODEL_FILE), new byte[] {1});
        }
        if (card) {
            Files.writeString(dir.resolve(RepositoryLayout.CARD_FILE), "{}");
        }
        return dir;
    }

    @Test
    void listsCompleteNumberedVersionsAscending(@TempDir Path root) throws Exception {
        RepositoryLayout layout = new RepositoryLayout(root);
        assertEquals(List.of(), layout.versions("m"), "never published");
        Path modelDir = layout.modelDir("m");
        version(modelDir, "10", true, true);
        version(modelDir, "2", true, true);
        version(modelDir, "3", true, false);
        version(modelDir, "4", false, true);
        version(modelDir, "05", true, true);
        version(modelDir, RepositoryLayout.TEMP_PREFIX + "123", true, true);
        version(modelDir, "latest", true, true);
        Files.createSymbolicLink(modelDir.resolve("11"), modelDir.resolve("10"));
        assertEquals(List.of(2L, 10L), layout.versions("m"));
        assertEquals(root.resolve("m").resolve("10"), layout.versionDir("m", 10));
        assertTrue(RepositoryLayout.isComplete(layout.versionDir("m", 2)));
    }

    @Test
    void versionNumbersArePositiveDecimalsWithoutLeadingZeros() {
        assertEquals(7, RepositoryLayout.versionOf(Path.of("/r/m/7")));
        assertEquals(-1, RepositoryLayout.versionOf(Path.of("/r/m/0")));
        assertEquals(-1, RepositoryLayout.versionOf(Path.of("/r/m/07")));
        assertEquals(-1, RepositoryLayout.versionOf(Path.of("/r/m/.tmp-1")));
        assertEquals(-1, RepositoryLayout.versionOf(Path.of("/r/m/1234567890123456789")));
    }

    @Test
    void namesThatWouldLeaveTheRepositoryAreRefused(@TempDir Path root) {
        RepositoryLayout layout = new RepositoryLayout(root);
        for (String bad : List.of("", ".", "..", "../evil", "a/b", ".hidden", ".tmp-1", "x".repeat(129))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> layout.modelDir(bad));
            assertTrue(e.getMessage().contains("invalid model name '" + bad + "'"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> RepositoryLayout.requireFileName("sub/plot.png"));
        assertEquals("fashion-mnist_v2.1", RepositoryLayout.requireModelName("fashion-mnist_v2.1"));
        assertEquals("training.png", RepositoryLayout.requireFileName("training.png"));
    }
}
