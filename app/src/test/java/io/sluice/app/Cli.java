package io.sluice.app;

import picocli.CommandLine;

/** The {@code sluice} command as {@code main} runs it, for the tests of subcommands that live in other packages. */
public final class Cli {
    private Cli() {}

    public static CommandLine commandLine() {
        return SluiceCli.commandLine();
    }
}
