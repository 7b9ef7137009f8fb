package org.roamstore.directory.login;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.roamstore.directory.copygroup.FakeStorage;

class NbdEndpointsTest {
  private final AtomicLong now = new AtomicLong();
  private final NbdEndpoints endpoints = new NbdEndpoints(now::get);

  @Test
  void aRecentStatusIsReusedAndAnOldOneAskedAgain() {
    FakeStorage seattle = new FakeStorage("seattle");
    FakeStorage portland = new FakeStorage("portland");

    assertEquals(10809, endpoints.of(seattle).nbdPort());
    now.addAndGet(NbdEndpoints.MAX_AGE.toNanos() - 1);
    endpoints.of(seattle);
    assertEquals(1, seattle.calls("status"), "asked once within the age limit");
    endpoints.of(portland);
    assertEquals(1, portland.calls("status"), "each unit is asked for its own");

    now.addAndGet(1);
    endpoints.of(seattle);
    assertEquals(2, seattle.calls("status"), "asked again once it is old");
  }
}
