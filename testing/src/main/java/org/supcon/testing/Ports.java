package org.supcon.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Ports for the child processes the tests start (the Kafka broker, the packaged trainer). A free
 * port is picked by opening and closing a socket and the child binds it seconds later: another
 * process may take it meanwhile, so a child that finds its port taken is started again on new
 * ports, up to {@link #ATTEMPTS} times in all.
 */
public final class Ports {

    /** How many times a child is started on newly picked ports when it finds one taken. */
    public static final int ATTEMPTS = 3;

    private Ports() {
    }

    /** Picks a port to listen on ({@link #free()}; a test passes one that hands out a taken port). */
    @FunctionalInterface
    public interface Picker {
        int pick() throws IOException;
    }

    /** A port that was free a moment ago. */
    public static int free() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Two different ports from {@code picker}. */
    public static int[] two(Picker picker) throws IOException {
        int first = picker.pick();
        int second = picker.pick();
        while (second == first) {
            second = picker.pick();
        }
        return new int[] {first, second};
    }

    /**
     * The first line of a child's log that says a port was taken, or null: Kafka's "Address already
     * in use" / BindException, Quarkus' "Port N seems to be in use by another process".
     */
    public static String takenLine(String log) {
        return log.lines().filter(l -> l.contains("Address already in use") || l.contains("BindException")
                        || l.contains("in use by another process"))
                .map(String::strip).findFirst().orElse(null);
    }
}
