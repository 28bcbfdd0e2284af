package org.supcon.trainer.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged command-line tools open no port: with the service's API and management ports (8080,
 * 9001) taken, as when `serve` runs on the same host, `ingest --help` still runs and exits 0.
 */
class CliBesideServiceIT {

    @Test
    void commandLineToolsRunWhileTheServicePortsAreTaken() throws Exception {
        try (ServerSocket api = bound(8080); ServerSocket management = bound(9001)) {
            Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar", TrainerProcess.jar().toString(), "ingest", "--help")).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("--dataset"), out);
        }
    }

    /** Binds the port, or returns null when another program holds it already (it is taken either way). */
    private static ServerSocket bound(int port) {
        try {
            ServerSocket s = new ServerSocket();
            s.bind(new InetSocketAddress(port));
            return s;
        } catch (java.io.IOException e) {
            return null;
        }
    }
}
