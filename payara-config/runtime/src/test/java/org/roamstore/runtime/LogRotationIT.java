package org.roamstore.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's {@code rotate_log}, run by bash on files of a few bytes: earlier runs' logs are
 * kept, numbered from the newest, and bounded in count and in total size. (An IT only because the
 * launcher's path is given to failsafe; it starts no server.)
 */
class LogRotationIT {
  @TempDir Path dir;

  @Test
  void eachStartKeepsThePreviousLogsNewestFirstWithinTheCountAndTheSize() throws Exception {
    Path log = dir.resolve("payara.log");
    for (int run = 1; run <= 4; run++) {
      Files.writeString(log, "run " + run + " " + "x".repeat(94)); // 100 bytes
      rotate(log, 3, 250);
      assertFalse(Files.exists(log), "the next start writes a new log");
    }
    assertEquals("run 4", Files.readString(sibling(log, 1)).substring(0, 5));
    assertEquals("run 3", Files.readString(sibling(log, 2)).substring(0, 5));
    assertFalse(Files.exists(sibling(log, 3)), "a third 100-byte file would pass 250 bytes");
  }

  @Test
  void theCountBoundsTheFilesKept() throws Exception {
    Path log = dir.resolve("broker.log");
    for (int run = 1; run <= 5; run++) {
      Files.writeString(log, "run " + run);
      rotate(log, 2, 1_000_000);
    }
    assertEquals("run 5", Files.readString(sibling(log, 1)));
    assertEquals("run 4", Files.readString(sibling(log, 2)));
    assertFalse(Files.exists(sibling(log, 3)));
  }

  @Test
  void aLogLargerThanTheBoundKeepsItsEndAndTheOlderOnesGo() throws Exception {
    Path log = dir.resolve("payara.log");
    Files.writeString(log, "older");
    rotate(log, 3, 100);
    Files.writeString(log, "start " + "y".repeat(200) + " the failure");
    rotate(log, 3, 100);

    String kept = Files.readString(sibling(log, 1));
    assertEquals(100, kept.length());
    assertTrue(kept.endsWith(" the failure"), kept);
    assertFalse(Files.exists(sibling(log, 2)), "the total stays within 100 bytes");
  }

  @Test
  void aMissingOrEmptyLogIsLeftAlone() throws Exception {
    Path log = dir.resolve("payara.log");
    rotate(log, 3, 100);
    Files.writeString(log, "");
    rotate(log, 3, 100);
    assertFalse(Files.exists(sibling(log, 1)));
  }

  private static Path sibling(Path log, int n) {
    return log.resolveSibling(log.getFileName() + "." + n);
  }

  private static void rotate(Path log, int keep, long maxBytes) throws Exception {
    Process bash =
        new ProcessBuilder(
                "bash",
                "-c",
                "source \"$1\" && rotate_log \"$2\" \"$3\" \"$4\"",
                "rotate",
                System.getProperty("roamstore.launcher"),
                log.toString(),
                String.valueOf(keep),
                String.valueOf(maxBytes))
            .redirectErrorStream(true)
            .start();
    String out = new String(bash.getInputStream().readAllBytes());
    assertTrue(bash.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, bash.exitValue(), out);
  }
}
