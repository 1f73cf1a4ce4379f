package dev.ferry.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Prints a shell completion script for every command and option of {@code ferry}. */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = "Print a completion script for bash (zsh loads it too, after 'autoload -U bashcompinit &&"
                + " bashcompinit').",
        footer = {"", "Examples:", "  source <(ferry completion bash)",
                "  ferry completion bash > /etc/bash_completion.d/ferry"})
final class CompletionCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "SHELL", description = "bash or zsh.")
    private String shell;

    @Override
    public Integer call() {
        if (!shell.equals("bash") && !shell.equals("zsh")) {
            throw new IllegalArgumentException("no completion for '" + shell + "'; give bash or zsh");
        }
        CommandLine root = spec.root().commandLine();
        spec.commandLine().getOut().print(AutoComplete.bash("ferry", root));
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
