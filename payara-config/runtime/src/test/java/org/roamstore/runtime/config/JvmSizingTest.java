package org.roamstore.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JvmSizingTest {
  static final long MIB = 1L << 20;
  static final long GIB = 1L << 30;

  @TempDir Path dir;

  @Test
  void heapsAreSharesOfTheBudgetWithinBounds() {
    JvmSizing eight = JvmSizing.of(8 * GIB, 0, 0, 3);
    assertEquals(2 * GIB, eight.payaraHeap());
    assertEquals(1 * GIB, eight.brokerHeap());
    assertEquals(
        3 * 256 * MIB + 256 * MIB, eight.payaraDirect(), "a cache per unit and room beside");

    JvmSizing small = JvmSizing.of(2 * GIB, 0, 0, 1);
    assertEquals(768 * MIB, small.payaraHeap());
    assertEquals(512 * MIB, small.brokerHeap(), "never the 256 MiB a broker ran out of");

    JvmSizing large = JvmSizing.of(256 * GIB, 0, 0, 1);
    assertEquals(4 * GIB, large.payaraHeap());
    assertEquals(2 * GIB, large.brokerHeap());
  }

  @Test
  void givenHeapsWinAndTheBrokerExitsWhenItsHeapRunsOut() {
    JvmSizing given = JvmSizing.of(8 * GIB, 3 * GIB, 600 * MIB, 1);
    assertEquals(
        List.of(
            "-Xmx3072m", "-XX:MaxDirectMemorySize=512m", "-XX:+UseG1GC", "-XX:G1HeapRegionSize=8m"),
        given.payaraOptions());
    assertEquals(
        List.of(
            "-Xmx600m", "-XX:+UseG1GC", "-XX:G1HeapRegionSize=8m", "-XX:+ExitOnOutOfMemoryError"),
        given.brokerOptions());
  }

  @Test
  void theMachinesMemoryIsTheDefaultBudget() {
    long machine = JvmSizing.machineMemory();
    assertTrue(machine > 256 * MIB, "the JVM reports the machine's memory: " + machine);
    assertEquals(JvmSizing.of(machine, 0, 0, 3), JvmSizing.of(0, 0, 0, 3));
  }

  @Test
  void sizesAreParsedAndCheckedByName() throws Exception {
    assertEquals(2 * GIB, JvmSizing.parse("--heap", "2g", 0));
    assertEquals(768 * MIB, JvmSizing.parse("--heap", "768M", 0));
    assertEquals(
        "--heap: a size such as 768m or 2g, not '2 GB'",
        assertThrows(ConfigException.class, () -> JvmSizing.parse("--heap", "2 GB", 0))
            .getMessage());
    assertEquals(
        "--broker-heap: 100m is too little; at least 256m",
        assertThrows(
                ConfigException.class, () -> JvmSizing.parse("--broker-heap", "100m", 256 * MIB))
            .getMessage());
  }

  @Test
  void theRunsOptionsAndEnvironmentReachTheSizing() throws Exception {
    RunSettings run =
        run(
            Map.of("ROAMSTORE_BROKER_HEAP", "1g"),
            "--memory",
            "16g",
            "--site",
            "seattle",
            "--jdbc-url",
            "jdbc:h2:mem:x");
    assertEquals(4 * GIB, run.jvm().payaraHeap());
    assertEquals(1 * GIB, run.jvm().brokerHeap());
    assertEquals(512 * MIB, run.jvm().payaraDirect(), "one unit at a --site server");
    ConfigException e =
        assertThrows(ConfigException.class, () -> run(Map.of("ROAMSTORE_HEAP", "lots")));
    assertEquals(
        "--heap (from ROAMSTORE_HEAP): a size such as 768m or 2g, not 'lots'", e.getMessage());
  }

  @Test
  void multiGivesEachSiteItsShare() throws Exception {
    MultiSettings multi =
        MultiSettings.parse(
            Path.of("target/roamstore"),
            List.of(
                "--data", dir.resolve("m").toString(), "--memory", "12g", "--broker-heap", "700m"),
            Map.of());
    List<String> args = multi.siteArguments(2);
    assertEquals("4096m", args.get(args.indexOf("--memory") + 1));
    assertEquals("700m", args.get(args.indexOf("--broker-heap") + 1));
  }

  private RunSettings run(Map<String, String> env, String... args) throws ConfigException {
    List<String> all = new ArrayList<>(List.of("--data", dir.resolve("d").toString()));
    all.addAll(List.of(args));
    return RunSettings.parse(Path.of("target/roamstore"), all, env);
  }
}
