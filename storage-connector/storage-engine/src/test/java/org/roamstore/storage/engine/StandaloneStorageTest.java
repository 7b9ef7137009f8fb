package org.roamstore.storage.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class StandaloneStorageTest {
  @Test
  void sizesTakeBinaryUnits() {
    assertEquals(1L << 30, StandaloneStorage.parseSize("1G"));
    assertEquals(512L << 20, StandaloneStorage.parseSize("512MiB"));
    assertEquals(64L << 10, StandaloneStorage.parseSize("64k"));
    assertEquals(12345, StandaloneStorage.parseSize("12345"));
    assertThrows(NumberFormatException.class, () -> StandaloneStorage.parseSize("big"));
  }
}
