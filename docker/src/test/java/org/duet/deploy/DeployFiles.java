package org.duet.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Where the deployment files, the repository and the upstream Jitsi sources are, and running tools. */
final class DeployFiles {

    private DeployFiles() {
    }

    /** This module's directory: docker/ (Surefire runs tests with the module as working directory). */
    static Path dockerDir() {
        Path here = Path.of("").toAbsolutePath();
        if (Files.exists(here.resolve("duet.yml"))) {
            return here;
        }
        if (Files.exists(here.resolve("docker/duet.yml"))) {
            return here.resolve("docker");
        }
        throw new IllegalStateException("cannot find docker/duet.yml from " + here);
    }

    static Path repoRoot() {
        return dockerDir().getParent();
    }

    static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + p, e);
        }
    }

    /**
     * The shared upstream folder (source tarballs of stable 11146): $DUET_UPSTREAM, or ../shared/upstream
     * next to this checkout (as the local stack script looks for it).
     */
    static Path upstream() {
        List<Path> candidates = new ArrayList<>();
        String env = System.getenv("DUET_UPSTREAM");
        if (env != null && !env.isBlank()) {
            candidates.add(Path.of(env));
        }
        candidates.add(repoRoot().resolve("../shared/upstream").normalize());
        candidates.add(repoRoot().resolve("../../shared/upstream").normalize());
        candidates.add(Path.of("/work/shared/upstream"));
        for (Path c : candidates) {
            if (Files.isDirectory(c.resolve("sources"))) {
                return c;
            }
        }
        throw new IllegalStateException("no upstream sources folder (set DUET_UPSTREAM); looked in " + candidates);
    }

    /** Extracts sources/<prefix>*.tar.gz once into target/upstream/ and returns its top directory. */
    static Path upstreamTree(String tarballPrefix) throws IOException, InterruptedException {
        Path sources = upstream().resolve("sources");
        Path tarball;
        try (var s = Files.list(sources)) {
            tarball = s.filter(p -> p.getFileName().toString().startsWith(tarballPrefix)
                    && p.getFileName().toString().endsWith(".tar.gz")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no " + tarballPrefix + "*.tar.gz in " + sources));
        }
        Path into = dockerDir().resolve("target/upstream/" + tarball.getFileName().toString().replace(".tar.gz", ""));
        if (!Files.isDirectory(into)) {
            Files.createDirectories(into);
            Result r = run(into, Map.of(), 120, "tar", "-xzf", tarball.toString(), "-C", into.toString());
            if (r.exit != 0) {
                throw new IllegalStateException("tar failed: " + r.output);
            }
        }
        try (var s = Files.list(into)) {
            return s.filter(Files::isDirectory).findFirst().orElse(into);
        }
    }

    record Result(int exit, String output) {
    }

    /** Runs a command (bounded in time), stdout and stderr together. */
    static Result run(Path dir, Map<String, String> env, int timeoutSeconds, String... cmd)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Path out = Files.createTempFile("duet-deploy", ".out");
        pb.redirectOutput(out.toFile());
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " did not finish in " + timeoutSeconds + " s");
        }
        String text = Files.readString(out);
        Files.deleteIfExists(out);
        return new Result(p.exitValue(), text);
    }

    static boolean commandWorks(String... cmd) {
        try {
            return run(Path.of("").toAbsolutePath(), Map.of(), 30, cmd).exit == 0;
        } catch (IOException | RuntimeException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
