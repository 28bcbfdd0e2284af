package org.supcon.trainer.cli;

import io.quarkus.runtime.Quarkus;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code serve}: the trainer service, configured by {@code trainer.*} properties, until it is stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"The trainer service (the default command): consume labeled-images into the dataset cache, REST API"
                + " on :8080 (/dataset, /training-runs, /q/health, /q/metrics, /q/openapi).",
            "It takes no options: configure it with trainer.* properties (-Dtrainer.data-dir=..., TRAINER_DATA_DIR=...,"
                + " see the README)."})
public class ServeCommand implements Callable<Integer> {

    static int serve() {
        Quarkus.waitForExit();
        return 0;
    }

    @Override
    public Integer call() {
        return serve();
    }
}
