package dev.mailroom.examples.quickstart;

import dev.mailroom.core.Mailroom;
import dev.mailroom.spi.DomainNames;

import java.util.List;

/**
 * Run by {@link ModulePathIT} in a JVM that has Mailroom's jars on the module path: prints what the module
 * descriptors decide (services found, packages exported) for the test to check.
 */
final class ModulePathCheck {
    private ModulePathCheck() {
    }

    public static void main(String[] args) {
        System.out.println("core module=" + Mailroom.class.getModule().getName());
        try (Mailroom mailroom = Mailroom.builder().build()) {
            System.out.println("transports=" + mailroom.transports());
        }
        System.out.println("domainNames=" + DomainNames.installed().description());
        for (String name : List.of("dev.mailroom", "dev.mailroom.core", "dev.mailroom.smtp", "dev.mailroom.jdbc")) {
            Module module = ModuleLayer.boot().findModule(name).orElseThrow();
            for (String pkg : new java.util.TreeSet<>(module.getPackages())) {
                System.out.println("package " + pkg + " exported=" + module.isExported(pkg));
            }
        }
    }
}
