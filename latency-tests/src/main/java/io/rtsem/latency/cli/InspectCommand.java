package io.rtsem.latency.cli;

import io.rtsem.bridge.NamedSemaphoreFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./rtsem inspect [NAME]}: lists the named semaphores of this machine, the {@code sem.*} files of
 * {@code /dev/shm} (rtsem's {@code NamedSemaphore} and glibc's {@code sem_open} write the same format): name, value,
 * waiter count, owner, mode, age, and whether each is well formed (docs/BRIDGE.md N11); with {@code NAME}, only that
 * one. The files are read by {@link NamedSemaphoreFile}, which holds the layout knowledge with
 * {@code NamedSemaphore}: nothing is created, written, locked or mapped. Exit codes: 0 listed (well formed or not);
 * 2 a bad or unknown {@code NAME}, or a directory that cannot be listed. NON_RT: file system calls, allocation.
 */
@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        description = {
            "List the named POSIX semaphores of this machine (/dev/shm/sem.*, rtsem's and glibc's): value, waiter "
                    + "count, owner, mode, age, and whether each is well formed (a regular file of 32 bytes with the "
                    + "shared marker 128 at offset 8, not a symbolic link). Reads only: creates, changes and locks "
                    + "nothing."
        })
public final class InspectCommand implements Callable<Integer> {
    /** Where named semaphores live. */
    static final Path SHM = Paths.get("/dev/shm");

    @Parameters(
            arity = "0..1",
            paramLabel = "NAME",
            description = "Only this semaphore (with or without its leading /).")
    private String name;

    @Option(names = "--dir", hidden = true, paramLabel = "DIR", description = "Stands for /dev/shm (tests).")
    private Path dir = SHM;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** Lists, or shows the one named. */
    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            List<NamedSemaphoreFile> files = new ArrayList<>();
            if (name == null) {
                files.addAll(NamedSemaphoreFile.list(dir));
            } else {
                files.add(NamedSemaphoreFile.read(dir, name));
            }
            print(files, out);
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("rtsem: inspect: " + e.getMessage());
            return RtsemCommand.EXIT_CONFIG;
        } catch (NoSuchFileException e) {
            err.println(
                    name == null
                            ? "rtsem: inspect: no directory " + e.getFile() + " (where named semaphores live)"
                            : "rtsem: inspect: no named semaphore \"" + name + "\" (no file " + e.getFile()
                                    + "); ./rtsem inspect lists those there are");
            return RtsemCommand.EXIT_CONFIG;
        } catch (IOException e) {
            err.println("rtsem: inspect: cannot read " + dir + ": " + e);
            return RtsemCommand.EXIT_CONFIG;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private void print(List<NamedSemaphoreFile> files, PrintWriter out) {
        long bad = files.stream().filter(f -> !f.wellFormed()).count();
        out.println("rtsem inspect: " + files.size() + " named semaphore" + (files.size() == 1 ? "" : "s") + " in "
                + dir + (bad == 0 ? "" : ", " + bad + " not well formed"));
        if (files.isEmpty()) {
            return;
        }
        int width = "NAME".length();
        for (NamedSemaphoreFile f : files) {
            width = Math.max(width, f.name().length());
        }
        String row = "%-" + width + "s  %10s  %7s  %-16s  %-14s  %9s  %s%n";
        out.printf(Locale.ROOT, row, "NAME", "VALUE", "WAITERS", "OWNER", "MODE", "AGE", "STATUS");
        Instant now = Instant.now();
        for (NamedSemaphoreFile f : files) {
            out.printf(
                    Locale.ROOT,
                    row,
                    f.name(),
                    f.decoded() ? Long.toString(f.value()) : "-",
                    f.decoded() ? Long.toString(f.waiters()) : "-",
                    f.owner() + " (" + f.uid() + ")",
                    String.format(Locale.ROOT, "%04o", f.mode()) + " " + PosixFilePermissions.toString(f.permissions()),
                    age(Duration.between(f.modified().toInstant(), now)),
                    f.wellFormed() ? "ok" : "NOT WELL FORMED: " + f.path() + " " + f.problem());
        }
    }

    /**
     * An age for people: {@code 42s}, {@code 3m05s}, {@code 2h07m}, {@code 12d03h}.
     *
     * @param d a duration (negative, as for a clock set back, prints as 0s).
     * @return the text.
     */
    static String age(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        if (s < 86400) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
        }
        return String.format(Locale.ROOT, "%dd%02dh", s / 86400, (s % 86400) / 3600);
    }
}
