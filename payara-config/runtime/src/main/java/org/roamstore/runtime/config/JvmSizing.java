package org.roamstore.runtime.config;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Heap and GC settings of the JVMs one {@code roamstore run} starts, sized from the memory it may
 * use (the machine's, or {@code --memory}; {@code multi} gives each site its share) unless given.
 * Without them each JVM would take a quarter of the machine's memory for its heap (two or three
 * JVMs per site and PostgreSQL beside them), and the JVM picks the serial collector on a machine it
 * thinks small (under 2 CPUs or 1792 MB), whose full pauses stall NBD and remote copy.
 *
 * <ul>
 *   <li>Payara Micro: heap a quarter of the budget, at least 768 MiB and at most 4 GiB; direct
 *       memory for each hosted storage unit's cache (256 MiB) and 256 MiB beside them.
 *   <li>Broker: heap an eighth of the budget, at least 512 MiB (a 256 MiB one ran out of heap while
 *       secondaries drained) and at most 2 GiB; it pages to disk past an eighth of its heap. It
 *       exits when its heap runs out: a broker out of heap was seen alive but answering nothing,
 *       which holds every unit's reconnect, where an exit is seen (run stops, naming it).
 *   <li>Both: G1 with 8 MiB regions (with 1 MiB ones every write data batch, 1-2 MiB, is a
 *       humongous allocation, and those pauses dominated remote copy in a JFR of the bench).
 * </ul>
 */
public record JvmSizing(long payaraHeap, long payaraDirect, long brokerHeap) {
  static final long MIB = 1L << 20;
  static final long CACHE_PER_UNIT = 256 * MIB;
  private static final Pattern SIZE = Pattern.compile("([0-9]{1,9})([kKmMgG]?)");

  /**
   * @param memory the budget in bytes, or 0 for the machine's memory
   * @param heap Payara Micro's heap in bytes, or 0 to size it
   * @param brokerHeap the broker's heap in bytes, or 0 to size it
   * @param hostedUnits the storage control units Payara Micro runs
   */
  static JvmSizing of(long memory, long heap, long brokerHeap, int hostedUnits) {
    long budget = memory > 0 ? memory : machineMemory();
    long payara = heap > 0 ? heap : clamp(budget / 4, 768 * MIB, 4096 * MIB);
    long broker = brokerHeap > 0 ? brokerHeap : clamp(budget / 8, 512 * MIB, 2048 * MIB);
    return new JvmSizing(payara, hostedUnits * CACHE_PER_UNIT + 256 * MIB, broker);
  }

  /** The memory this JVM sees (a container's limit where there is one). */
  static long machineMemory() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getTotalMemorySize();
  }

  private static long clamp(long value, long min, long max) {
    return Math.max(min, Math.min(max, value));
  }

  /** A size as the JVM's options write it: 512m, 2g, 1048576k; bytes when no unit. */
  static long parse(String what, String value, long minimum) throws ConfigException {
    Matcher m = SIZE.matcher(value);
    if (!m.matches()) {
      throw new ConfigException(what + ": a size such as 768m or 2g, not '" + value + "'");
    }
    long n = Long.parseLong(m.group(1));
    long bytes =
        switch (m.group(2).toLowerCase(Locale.ROOT)) {
          case "k" -> n << 10;
          case "m" -> n << 20;
          case "g" -> n << 30;
          default -> n;
        };
    if (bytes < minimum) {
      throw new ConfigException(
          what + ": " + value + " is too little; at least " + (minimum / MIB) + "m");
    }
    return bytes;
  }

  public List<String> payaraOptions() {
    return List.of(
        "-Xmx" + (payaraHeap / MIB) + "m",
        "-XX:MaxDirectMemorySize=" + (payaraDirect / MIB) + "m",
        "-XX:+UseG1GC",
        "-XX:G1HeapRegionSize=8m");
  }

  public List<String> brokerOptions() {
    return List.of(
        "-Xmx" + (brokerHeap / MIB) + "m",
        "-XX:+UseG1GC",
        "-XX:G1HeapRegionSize=8m",
        "-XX:+ExitOnOutOfMemoryError");
  }
}
