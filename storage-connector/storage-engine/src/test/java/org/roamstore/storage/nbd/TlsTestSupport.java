package org.roamstore.storage.nbd;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the TLS tests share: certificates made once per test class ({@link TestPki}, under the
 * class's temporary directory in target/) and, per test, control units in a directory of its own.
 */
abstract class TlsTestSupport {
  @TempDir static Path shared;
  static TestPki pki;

  @TempDir Path dir;
  TlsUnits units;

  @BeforeAll
  static void certificates() throws Exception {
    pki = TestPki.create(shared);
  }

  @AfterAll
  static void forget() {
    pki = null;
  }

  @BeforeEach
  void startUnits() {
    units = new TlsUnits(dir);
  }

  @AfterEach
  void stopUnits() {
    units.close();
  }
}
