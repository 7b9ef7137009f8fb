package org.roamstore.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Runs the benchmarks the way README gives them ({@code bench/all}), in their seconds-long smoke
 * mode: each completes, prints its table, and leaves neither its work directory nor a process
 * behind. It asserts no figure: the benches' figures belong to bench/RESULTS.md, not to a test.
 *
 * <p>Every bench is in it, the WAN bench too: its smoke mode starts PostgreSQL and the three sites
 * together and runs its jobs with plain bridges only (its TLS side would restart the three sites,
 * over a minute more; {@code MultiSiteIT} runs every broker and bridge on mutual TLS).
 */
class BenchSmokeIT {
  private static final Path ROOT =
      Path.of(System.getProperty("roamstore.launcher"))
          .toAbsolutePath()
          .normalize()
          .getParent()
          .getParent();
  private static final Path BENCH_TARGET = ROOT.resolve("bench/target");

  @Test
  void everyBenchRunsInSmokeModePrintsItsTableAndCleansUp() throws Exception {
    Path out = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
    Path results = out.resolve("bench-smoke-RESULTS.md");
    Path log = out.resolve("bench-smoke.log");
    Files.deleteIfExists(results);
    Process all =
        new ProcessBuilder(
                "python3",
                ROOT.resolve("bench/all").toString(),
                "--smoke",
                "--only",
                "nbd,nbdcopy,remote-copy,initial-copy,activity-verify,login,wan",
                "--results",
                results.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    boolean done = all.waitFor(15, TimeUnit.MINUTES);
    if (!done) {
      all.destroy(); // bench/all's benches clean up on SIGTERM
      all.waitFor(2, TimeUnit.MINUTES);
    }
    String output = Files.readString(log);
    assertTrue(done, "bench/all --smoke did not end in 15 minutes:\n" + tail(output));
    assertEquals(0, all.exitValue(), "bench/all --smoke failed:\n" + tail(output));

    String section = Files.readString(results);
    assertTrue(section.contains("(smoke mode)"), section);
    for (String[] bench :
        new String[][] {
          {"nbd", "| job "},
          {"nbdcopy", "| "},
          {"remote-copy", "| job "},
          {"initial-copy", "| copy "},
          {"activity-verify", "| job "},
          {"login", "| scenario "},
          {"wan", "| one-way delay "}
        }) {
      int at = section.indexOf("### " + bench[0] + ": ");
      assertTrue(at >= 0, "no section for " + bench[0] + ":\n" + section);
      int next = section.indexOf("\n### ", at + 1);
      String own = section.substring(at, next < 0 ? section.length() : next);
      assertFalse(own.contains("FAILED"), own);
      assertTrue(own.contains(bench[1]), bench[0] + " printed no table:\n" + own);
    }
    assertEquals(List.of(), leftWorkDirectories(), "work directories left in bench/target");
    assertEquals(List.of(), leftProcesses(), "processes left that use a bench's work directory");
  }

  private static List<String> leftWorkDirectories() throws IOException {
    if (!Files.isDirectory(BENCH_TARGET)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(BENCH_TARGET)) {
      return entries
          .map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith("work-"))
          .toList();
    }
  }

  private static List<String> leftProcesses() throws IOException {
    String marker = BENCH_TARGET.resolve("work-").toString();
    List<String> left = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String cmdline = Files.readString(proc.resolve("cmdline")).replace('\0', ' ');
          if (cmdline.contains(marker)) {
            left.add(proc.getFileName() + ": " + cmdline);
          }
        } catch (IOException gone) {
          // the process ended while we looked
        }
      }
    }
    return left;
  }

  private static String tail(String text) {
    return text.length() <= 6000 ? text : text.substring(text.length() - 6000);
  }
}
