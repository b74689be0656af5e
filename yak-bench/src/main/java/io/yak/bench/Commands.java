package io.yak.bench;

import java.nio.file.Files;
import java.util.List;
import picocli.CommandLine;

/** What every subcommand does once its options are parsed: validate, then run the workloads. */
final class Commands {
    private Commands() {
    }

    /**
     * @throws CommandLine.ParameterException for invalid options (picocli prints the line and the usage, exit 2)
     */
    static int execute(CommandLine cl, List<WorkloadSpec> specs, Options.TargetOptions target,
                       Options.OutputOptions output, long pauseMs) throws Exception {
        for (WorkloadSpec s : specs) {
            String problem = s.validate();
            if (problem != null) {
                throw new CommandLine.ParameterException(cl, problem);
            }
        }
        String coordinator = target.coordinator(cl);
        if (output.json != null && Files.isDirectory(output.json)) {
            throw new CommandLine.ParameterException(cl, "--json " + output.json + " is a directory, not a file");
        }
        if (output.report != null && Files.exists(output.report) && !Files.isDirectory(output.report)) {
            throw new CommandLine.ParameterException(cl, "--report " + output.report + " is a file, not a directory");
        }
        String command = "yak-bench " + String.join(" ", cl.getParseResult().originalArgs());
        try {
            return new BenchRun(coordinator, target.nodeProps, pauseMs, output.json, output.report, command,
                cl.getOut()).execute(specs);
        } catch (UsageException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage(), e);
        }
    }
}
