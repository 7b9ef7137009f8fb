package org.roamstore.broker;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The options of {@link BrokerMain#start} are checked before any broker starts. */
class BrokerMainTest {
  @TempDir Path dir;

  @Test
  void anOptionWithoutItsValueOrAPeerWithoutASiteIsRefusedWithTheUsage() {
    for (List<String> args :
        List.of(
            List.of("--data", dir.toString(), "--port"),
            List.of("--peer", "portland=127.0.0.1:61617"),
            List.of("--secret", dir.toString()))) {
      IllegalArgumentException refused =
          assertThrows(IllegalArgumentException.class, () -> BrokerMain.start(args));
      assertTrue(refused.getMessage().startsWith("usage: BrokerMain"), refused.getMessage());
    }
  }

  @Test
  void secretsThatAreNotThereAreRefusedNamingTheDirectory() {
    Path missing = dir.resolve("secrets");
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                BrokerMain.start(
                    List.of("--data", dir.toString(), "--secrets", missing.toString())));
    assertTrue(refused.getMessage().startsWith(missing.toString()), refused.getMessage());
  }
}
