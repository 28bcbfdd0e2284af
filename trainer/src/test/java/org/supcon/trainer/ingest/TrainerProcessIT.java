package org.supcon.trainer.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.supcon.testing.Ports;

/**
 * The fixture's own start-up: a port picked free and taken by another process before the trainer
 * binds it makes {@link TrainerProcess#start} pick new ports (at most {@value Ports#ATTEMPTS}
 * attempts in all; giving up is not tested here: three failed starts cost ~30 s).
 */
class TrainerProcessIT {

    @Test
    void picksNewPortsWhenTheHttpPortIsTaken(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            AtomicInteger picks = new AtomicInteger();
            Path log = dir.resolve("trainer.log");
            try (TrainerProcess trainer = TrainerProcess.start(log, properties(dir),
                    () -> picks.getAndIncrement() == 0 ? taken.getLocalPort() : Ports.free())) {
                assertEquals(0, trainer.dataset().get("samples").asInt());
                assertEquals(4, picks.get(), "two ports per attempt, two attempts");
                assertTrue(trainer.log().contains("Port " + taken.getLocalPort() + " seems to be in use"), trainer::logTail);
            }
        }
    }

    private static List<String> properties(Path dir) {
        return List.of("trainer.data-dir=" + dir.resolve("data"), "trainer.consumer.enabled=false");
    }
}
