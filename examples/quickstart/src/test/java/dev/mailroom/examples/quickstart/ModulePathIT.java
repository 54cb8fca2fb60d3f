package dev.mailroom.examples.quickstart;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

import static org.assertj.core.api.Assertions.assertThat;

/** The module descriptors (docs/adr/017) at run time: every other test runs on the class path. */
final class ModulePathIT {
    @Test
    @DisplayName("#11: on the module path the SMTP transport is found, IDNA works, and only API packages are exported")
    void modulePath_bindsServices_andHidesInternals() throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> modules = new ArrayList<>();
        String testClasses = null;
        for (String entry : classPath.split(File.pathSeparator)) {
            Path path = Path.of(entry);
            if (path.endsWith(Path.of("target", "test-classes"))) {
                testClasses = entry;
            } else if (hasModuleDescriptor(path) && !path.toString().contains("transport-graph")) {
                // the Graph module needs msal4j, an automatic module this class-path scan leaves out (ADR 023 checks its resolution)
                modules.add(entry);
            }
        }
        assertThat(testClasses).as("test classes on %s", classPath).isNotNull();
        Path out = Files.createTempFile("mailroom-module-path", ".txt");
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--module-path", String.join(File.pathSeparator, modules),
                    "--add-modules", "dev.mailroom.core,dev.mailroom.smtp,dev.mailroom.jdbc",
                    "-cp", testClasses, ModulePathCheck.class.getName())
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("the module-path JVM did not finish within 60 s");
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(text).isZero();
            assertThat(text).contains("core module=dev.mailroom.core").contains("transports=[smtp]")
                    .contains("domainNames=")
                    .contains("package dev.mailroom exported=true").contains("package dev.mailroom.spi exported=true")
                    .contains("package dev.mailroom.core exported=true")
                    .contains("package dev.mailroom.core.internal exported=false")
                    .contains("package dev.mailroom.smtp exported=true")
                    .contains("package dev.mailroom.smtp.internal exported=false")
                    .contains("package dev.mailroom.jdbc exported=true")
                    .contains("package dev.mailroom.jdbc.internal exported=false")
                    .doesNotContain("Exception");
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static boolean hasModuleDescriptor(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            return Files.exists(path.resolve("module-info.class"));
        }
        if (!path.toString().endsWith(".jar") || !Files.isRegularFile(path)) {
            return false;
        }
        try (JarFile jar = new JarFile(path.toFile())) {
            return jar.getEntry("module-info.class") != null
                    || jar.stream().anyMatch(e -> e.getName().matches("META-INF/versions/\\d+/module-info\\.class"));
        }
    }
}
