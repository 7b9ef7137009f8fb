package org.roamstore.directory.login;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.StorageStatus;

/**
 * Where each storage control unit serves NBD, as its status last said, for the answer to a login.
 * Asking every time was a control round trip per login (one of two without a switch), for a host
 * and port that change only when the unit is reconfigured; a status older than {@link #MAX_AGE} is
 * asked again, so a moved endpoint is picked up within that time.
 */
@ApplicationScoped
public class NbdEndpoints {
  static final Duration MAX_AGE = Duration.ofSeconds(10);

  private record Known(StorageStatus status, long atNanos) {}

  private final Map<String, Known> known = new ConcurrentHashMap<>();
  private final LongSupplier clock;

  public NbdEndpoints() {
    this(System::nanoTime);
  }

  NbdEndpoints(LongSupplier clock) {
    this.clock = clock;
  }

  /** The unit's status, as recently known, or asked of it on this connection. */
  public StorageStatus of(StorageConnection storage) {
    long now = clock.getAsLong();
    Known k = known.get(storage.storageSystem());
    if (k != null && now - k.atNanos() < MAX_AGE.toNanos()) {
      return k.status();
    }
    StorageStatus status = storage.status();
    known.put(storage.storageSystem(), new Known(status, now));
    return status;
  }
}
