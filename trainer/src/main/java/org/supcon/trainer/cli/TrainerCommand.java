package org.supcon.trainer.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The trainer's command line: its subcommands, help and usage; errors as one line naming the problem. */
@Command(name = "supcon-trainer", mixinStandardHelpOptions = true, version = "supcon-trainer 0.1.0",
        description = "Supervised Contrastive Learning: the trainer service and its command-line tools.",
        subcommands = {ServeCommand.class, TrainCommand.class, org.supcon.trainer.producer.IngestCommand.Options.class, BenchOnnxCommand.class,
            ExportVectorsCommand.class, BenchSearchCommand.class, EvaluateCommand.class,
            CommandLine.HelpCommand.class})
public class TrainerCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is needed");
    }

    /**
     * The command line with the setting options of {@code train} added, exceptions reported as
     * {@code error: ...} (exit status 1) and usage errors as {@code error: ...} plus a hint (2).
     */
    public static CommandLine commandLine(CommandLine.IFactory factory) {
        CommandLine cl = new CommandLine(TrainerCommand.class, factory);
        CommandLine train = cl.getSubcommands().get("train");
        ((TrainCommand) train.getCommand()).addSettingOptions(train.getCommandSpec());
        cl.setParameterExceptionHandler((e, args) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("error: " + e.getMessage());
            err.println("(run " + e.getCommandLine().getCommandSpec().qualifiedName() + " --help for the options)");
            return CommandLine.ExitCode.USAGE;
        });
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("error: " + describe(e));
            return CommandLine.ExitCode.SOFTWARE;
        });
        return cl;
    }

    static String describe(Throwable e) {
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
