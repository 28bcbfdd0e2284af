package org.supcon.trainer.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DlqLedgerTest {

    @Test
    void countsEachSourceRecordOnceAcrossReopens(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("dlq.log");
        try (DlqLedger ledger = DlqLedger.open(file)) {
            assertEquals(0, ledger.total());
            ledger.appendAll(List.of(new DlqLedger.Entry("t", 0, 5, "too-large"), new DlqLedger.Entry("t", 1, 5, "internal")));
            ledger.appendAll(List.of(new DlqLedger.Entry("t", 0, 5, "too-large"), new DlqLedger.Entry("t", 0, 9, "too-large")));
            assertEquals(3, ledger.total());
        }
        assertEquals("t\t0\t5\ttoo-large\nt\t1\t5\tinternal\nt\t0\t9\ttoo-large\n", Files.readString(file));
        try (DlqLedger ledger = DlqLedger.open(file)) {
            assertEquals(3, ledger.total());
            assertEquals(Map.of("internal", 1L, "too-large", 2L), ledger.perReason());
            assertTrue(ledger.contains("t", 1, 5));
            assertFalse(ledger.contains("t", 1, 6));
            assertFalse(ledger.contains("u", 0, 5));
        }
    }

    @Test
    void aTornLastLineIsDroppedAndOverwritten(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("dlq.log");
        Files.writeString(file, "t\t0\t1\tmissing-label\nt\t0\t2\tmissing-la");
        try (DlqLedger ledger = DlqLedger.open(file)) {
            assertEquals(1, ledger.total());
            assertFalse(ledger.contains("t", 0, 2));
            ledger.appendAll(List.of(new DlqLedger.Entry("t", 0, 2, "missing-label")));
        }
        assertEquals("t\t0\t1\tmissing-label\nt\t0\t2\tmissing-label\n", Files.readString(file));
    }

    @Test
    void aDamagedCompleteLineIsAnErrorNamingFileAndLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("dlq.log");
        Files.writeString(file, "t\t0\t1\tmissing-label\nt\tzero\t2\tinternal\n");
        IOException e = assertThrows(IOException.class, () -> DlqLedger.open(file));
        assertTrue(e.getMessage().contains(file + " line 2"), e.getMessage());
        Files.write(file, "x\n".getBytes(StandardCharsets.UTF_8), StandardOpenOption.TRUNCATE_EXISTING);
        e = assertThrows(IOException.class, () -> DlqLedger.open(file));
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
    }

    @Test
    void entriesRejectSeparatorsInNames() {
        assertThrows(IllegalArgumentException.class, () -> new DlqLedger.Entry("a\tb", 0, 0, "internal"));
        assertThrows(IllegalArgumentException.class, () -> new DlqLedger.Entry("t", 0, 0, ""));
    }
}
