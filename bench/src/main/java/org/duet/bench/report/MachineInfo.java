package org.duet.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine a benchmark ran on: cores, CPU model, kernel, Java. */
public record MachineInfo(int nproc, String cpuModel, String kernel, String java) {

    public static MachineInfo current() {
        String model = "unknown";
        // count the machine's processors, not this process's affinity (the bench pins itself)
        int processors = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name") && model.equals("unknown")) {
                    model = line.substring(line.indexOf(':') + 1).trim();
                }
                if (line.startsWith("processor")) {
                    processors++;
                }
            }
        } catch (IOException e) {
            // not Linux: keep "unknown"
        }
        String kernel;
        try {
            kernel = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (IOException e) {
            kernel = System.getProperty("os.name") + " " + System.getProperty("os.version");
        }
        String java = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
        return new MachineInfo(processors > 0 ? processors : Runtime.getRuntime().availableProcessors(), model, kernel,
                java);
    }
}
