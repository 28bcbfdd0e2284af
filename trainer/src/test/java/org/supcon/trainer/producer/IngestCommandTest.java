package org.supcon.trainer.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.supcon.trainer.cli.UsageException;

class IngestCommandTest {

    @Test
    void parsesFlagsWithDefaults() {
        IngestCommand.Settings s = IngestCommand.parse(List.of("--dataset", "fashion-mnist"));
        assertEquals(new IngestCommand.Settings("fashion-mnist", IngestCommand.Split.TRAIN, 0, "labeled-images"), s);
        s = IngestCommand.parse(List.of("--dataset", "fashion-mnist", "--split", "all", "--limit", "10", "--topic=t.1"));
        assertEquals(new IngestCommand.Settings("fashion-mnist", IngestCommand.Split.ALL, 10, "t.1"), s);
        s = IngestCommand.parse(List.of("--dataset", "/data/photos"));
        assertEquals(IngestCommand.Split.ALL, s.split());
    }

    @Test
    void badArgumentsNameTheProblem() {
        assertMessage("--dataset is required");
        assertMessage("--dataset is required", "--limit", "5");
        assertMessage("Unknown options: '--limits'", "--dataset", "fashion-mnist", "--limits", "5");
        assertMessage("Invalid value for option '--limit': 'many' is not an int", "--dataset", "fashion-mnist", "--limit", "many");
        assertMessage("--limit must not be negative, got -1", "--dataset", "fashion-mnist", "--limit", "-1");
        assertMessage("--split needs one of train, test, all, got 'val'", "--dataset", "fashion-mnist", "--split", "val");
        assertMessage("--split train applies to fashion-mnist only", "--dataset", "/data/photos", "--split", "train");
        assertMessage("--topic 'a b' is not a Kafka topic name", "--dataset", "fashion-mnist", "--topic", "a b");
    }

    private static void assertMessage(String expected, String... args) {
        UsageException e = assertThrows(UsageException.class, () -> IngestCommand.parse(List.of(args)));
        assertTrue(e.getMessage().contains(expected), () -> "message '" + e.getMessage() + "' lacks '" + expected + "'");
    }
}
