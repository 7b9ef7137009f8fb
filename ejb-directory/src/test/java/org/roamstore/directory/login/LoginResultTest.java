package org.roamstore.directory.login;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.roamstore.storage.api.NbdTlsMode;

class LoginResultTest {

  private static LoginResult at(NbdTlsMode tls) {
    return new LoginResult(
        "alice",
        "alice-disk",
        "seattle-office",
        "seattle",
        "Seattle",
        0.0,
        "seattle:alice-disk",
        "127.0.0.1",
        "seattle",
        3,
        "SYNC",
        1 << 20,
        "10.0.0.5",
        10809,
        tls,
        "xExport",
        "token",
        Instant.EPOCH,
        LoginPolicy.Outcome.values()[0],
        LoginPolicy.Reason.values()[0],
        null,
        0,
        Map.of(),
        null,
        null);
  }

  @Test
  void theNbdUriIsNbdsWheneverTheSiteOffersTls() {
    assertEquals("nbd://10.0.0.5:10809/xExport", at(NbdTlsMode.OFF).nbdUri());
    assertEquals("nbds://10.0.0.5:10809/xExport", at(NbdTlsMode.OPTIONAL).nbdUri());
    assertEquals("nbds://10.0.0.5:10809/xExport", at(NbdTlsMode.REQUIRED).nbdUri());
  }
}
