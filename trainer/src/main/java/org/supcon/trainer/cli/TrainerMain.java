package org.supcon.trainer.cli;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import jakarta.inject.Inject;
import java.util.List;
import picocli.CommandLine;

/**
 * The trainer's entry point: {@code java -jar trainer/target/quarkus-app/quarkus-run.jar <command> [options]}.
 * Commands ({@link TrainerCommand}): {@code serve} (the default: the Kafka consumer and the REST
 * API), {@code train}, {@code ingest}, {@code bench-onnx}, {@code help}. Only {@code serve} opens the
 * HTTP port and consumes Kafka, so the command-line tools run beside a running service.
 */
@QuarkusMain
public class TrainerMain implements QuarkusApplication {

    @Inject
    CommandLine.IFactory factory;

    public static void main(String... args) {
        if (!isServe(List.of(args))) {
            // The command-line tools neither listen on the service's ports nor consume the topic
            // (an `ingest` runs beside a `serve` on the same host).
            System.setProperty("quarkus.http.host-enabled", "false");
            System.setProperty("quarkus.management.host-enabled", "false");
            System.setProperty("trainer.consumer.enabled", "false");
            System.setProperty("trainer.runs.enabled", "false");
        }
        Quarkus.run(TrainerMain.class, args);
    }

    static boolean isServe(List<String> args) {
        return args.isEmpty() || args.get(0).equals("serve");
    }

    @Override
    public int run(String... args) {
        if (args.length == 0) {
            return ServeCommand.serve();
        }
        return TrainerCommand.commandLine(factory).execute(args);
    }
}
