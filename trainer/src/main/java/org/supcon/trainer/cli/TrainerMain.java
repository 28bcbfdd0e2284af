package org.supcon.trainer.cli;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.util.List;
import org.supcon.trainer.ingest.IngestCommand;

/**
 * The trainer's entry point: {@code java -jar trainer/target/quarkus-app/quarkus-run.jar <command> [options]}.
 * Commands: {@code serve} (the default: the Kafka consumer and the REST API), {@code train},
 * {@code ingest}, {@code bench-onnx}. Only {@code serve} opens the HTTP port and consumes Kafka, so
 * the command-line tools run beside a running service.
 */
@QuarkusMain
public class TrainerMain implements QuarkusApplication {

    static final String USAGE = """
            usage: supcon-trainer <command> [options]
            commands:
              serve    (default) the trainer service: consume labeled-images into the dataset cache, REST API on
                       :8080 (/dataset, /training-runs, /q/health, /q/metrics, /q/openapi)
              train    train an encoder (SupCon, SimCLR or the cross-entropy baseline), evaluate, write summary.json
              bench-onnx  export time and size per encoder, ONNX Runtime vs DJL inference speed
              ingest   publish a labeled dataset to Kafka (topic labeled-images); `ingest --help` lists the options
              help     this text; `train --help` lists the training options
            """;

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
        if (isServe(List.of(args))) {
            if (args.length > 1) {
                System.err.println("error: serve takes no options; it is configured with trainer.* properties"
                        + " (-Dtrainer.data-dir=..., TRAINER_DATA_DIR=..., see the README)");
                return 2;
            }
            Quarkus.waitForExit();
            return 0;
        }
        return dispatch(List.of(args));
    }

    static int dispatch(List<String> args) {
        if (args.isEmpty() || List.of("help", "--help", "-h").contains(args.get(0))) {
            System.out.print(USAGE);
            return args.isEmpty() ? 2 : 0;
        }
        String command = args.get(0);
        List<String> rest = args.subList(1, args.size());
        try {
            switch (command) {
                case "train" -> {
                    if (rest.contains("--help") || rest.contains("-h")) {
                        System.out.print(TrainCommand.USAGE);
                        return 0;
                    }
                    new TrainCommand(System.out).run(rest);
                    return 0;
                }
                case "bench-onnx" -> {
                    if (rest.contains("--help")) {
                        System.out.print(BenchOnnxCommand.USAGE);
                        return 0;
                    }
                    new BenchOnnxCommand(System.out).run(rest);
                    return 0;
                }
                case "ingest" -> {
                    if (rest.contains("--help") || rest.contains("-h")) {
                        System.out.print(IngestCommand.USAGE);
                        return 0;
                    }
                    return new IngestCommand(System.out).run(rest).failed() > 0 ? 1 : 0;
                }
                default -> throw new UsageException("unknown command '" + command + "'; commands: serve, train, bench-onnx, ingest, help");
            }
        } catch (UsageException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println("(run with --help for the options)");
            return 2;
        } catch (Exception e) {
            System.err.println("error: " + describe(e));
            return 1;
        }
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        Throwable c = e.getCause();
        while (c != null && c != e) {
            if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) {
                sb.append(": ").append(c.getMessage());
            }
            e = c;
            c = c.getCause();
        }
        return sb.toString();
    }

}
