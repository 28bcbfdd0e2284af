package org.supcon.trainer.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryLockTest {

    /** Locks the file named by its argument, says so, and holds the lock until its stdin closes. */
    private static final String HOLDER = """
            import java.nio.channels.FileChannel;
            import java.nio.file.Path;
            import java.nio.file.StandardOpenOption;
            public class Hold {
                public static void main(String[] args) throws Exception {
                    try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                        ch.lock();
                        System.out.println("locked");
                        System.out.flush();
                        System.in.read();
                    }
                }
            }
            """;

    @TempDir
    Path dir;

    @Test
    void aSecondHolderInThisProcessIsRefusedUntilTheFirstCloses() throws IOException {
        try (DirectoryLock first = DirectoryLock.acquire(dir)) {
            IOException e = assertThrows(IOException.class, () -> DirectoryLock.acquire(dir));
            assertEquals("dataset cache " + dir + " is already open in this process", e.getMessage());
        }
        DirectoryLock.acquire(dir).close();
    }

    @Test
    void aHolderInAnotherProcessIsRefusedUntilItExits() throws Exception {
        Path source = Files.writeString(dir.resolve("Hold.java"), HOLDER);
        Path cache = Files.createDirectory(dir.resolve("cache"));
        String java = ProcessHandle.current().info().command().orElse("java");
        Process holder = new ProcessBuilder(java, source.toString(), cache.resolve(DirectoryLock.FILE).toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", out.readLine());
            IOException e = assertThrows(IOException.class, () -> DirectoryLock.acquire(cache));
            assertTrue(e.getMessage().contains("is open in another process"), e.getMessage());
            holder.getOutputStream().close();
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS), "the holder exits when its stdin closes");
        } finally {
            holder.destroyForcibly();
        }
        DirectoryLock.acquire(cache).close();
    }
}
