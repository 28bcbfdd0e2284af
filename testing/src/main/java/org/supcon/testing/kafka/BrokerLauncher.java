package org.supcon.testing.kafka;

import java.util.Arrays;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.logging.StreamHandler;
import org.jboss.logmanager.LogContext;

/**
 * Main class of the {@link KafkaBroker} child JVM: {@code BrokerLauncher <main class> <args...>}.
 * On the test class path the broker's SLF4J logging ends in Quarkus' delayed log handler, which
 * keeps everything until a Quarkus app configures logging, i.e. forever; this sends it to stdout
 * (the broker's log file) instead, then runs the main class.
 */
final class BrokerLauncher {

    private BrokerLauncher() {
    }

    public static void main(String[] args) throws Throwable {
        Logger root = LogContext.getLogContext().getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        Handler out = new StreamHandler(System.out, new SimpleFormatter()) {
            @Override
            public synchronized void publish(LogRecord record) {
                super.publish(record);
                flush();
            }
        };
        out.setLevel(Level.ALL);
        root.addHandler(out);
        root.setLevel(Level.INFO);
        try {
            Class.forName(args[0]).getMethod("main", String[].class)
                    .invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
