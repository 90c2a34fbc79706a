package dev.simdnet.cli;

import picocli.CommandLine;

/** The version from the jar's manifest, plus the JDK and vector width that decide the speed. */
final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return new String[] {
                "simdnet " + (v == null ? "(development build)" : v),
                "JDK " + Runtime.version() + " (" + System.getProperty("java.vendor") + "), "
                        + Runtime.getRuntime().availableProcessors() + " cores"};
    }
}
