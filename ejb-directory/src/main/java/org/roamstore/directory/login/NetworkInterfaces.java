package org.roamstore.directory.login;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.roamstore.directory.model.Cidr;
import org.roamstore.directory.model.NetworkInterface;
import org.roamstore.directory.model.Position;

/**
 * The network interfaces as a login needs them (name, position, address ranges), kept in memory
 * instead of read on every login. They are written only when a topology is loaded into an empty
 * directory, so a copy is right nearly always; it is read again after {@link #MAX_AGE} all the
 * same, so that interfaces another directory instance added (a shared database) show within that
 * time. An unknown name is looked up at once, not only after {@link #MAX_AGE}.
 */
@ApplicationScoped
public class NetworkInterfaces {
  static final Duration MAX_AGE = Duration.ofSeconds(60);

  /** One interface, detached from any persistence context. */
  public record Via(String name, Position position, List<Cidr> ranges) {
    public boolean covers(InetAddress address) {
      return ranges.stream().anyMatch(c -> c.contains(address));
    }
  }

  private record Snapshot(Map<String, Via> byName, long readAtNanos) {}

  @PersistenceContext(unitName = "directory")
  private EntityManager em;

  private final LongSupplier nanoTime;
  private volatile Snapshot snapshot;

  public NetworkInterfaces() {
    this(System::nanoTime);
  }

  NetworkInterfaces(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /** The interface of that name. */
  public Optional<Via> named(String name) {
    Optional<Via> found = Optional.ofNullable(current().byName().get(name));
    return found.isPresent() ? found : Optional.ofNullable(reload().byName().get(name));
  }

  /** The first interface, by name, whose ranges cover the address. */
  public Optional<Via> covering(InetAddress address) {
    return current().byName().values().stream().filter(n -> n.covers(address)).findFirst();
  }

  private Snapshot current() {
    Snapshot s = snapshot;
    if (s == null || nanoTime.getAsLong() - s.readAtNanos() > MAX_AGE.toNanos()) {
      s = reload();
    }
    return s;
  }

  private Snapshot reload() {
    Map<String, Via> byName = new LinkedHashMap<>();
    for (NetworkInterface n : read()) {
      byName.put(
          n.name(),
          new Via(
              n.name(),
              new Position(n.position().latitude(), n.position().longitude()),
              n.cidrs().stream().map(Cidr::parse).toList()));
    }
    Snapshot s = new Snapshot(Collections.unmodifiableMap(byName), nanoTime.getAsLong());
    snapshot = s;
    return s;
  }

  /** Every interface in name order; a seam for tests. */
  List<NetworkInterface> read() {
    return em.createNamedQuery(NetworkInterface.ALL, NetworkInterface.class).getResultList();
  }
}
