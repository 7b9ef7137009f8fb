package org.roamstore.directory.login;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.directory.model.Cidr;
import org.roamstore.directory.model.NetworkInterface;
import org.roamstore.directory.model.Position;

/**
 * The network interfaces as a login needs them (name, position, address ranges), kept in memory
 * instead of read on every login. They are written only when a topology is loaded or a data center
 * is added, so a copy is right nearly always; the instance that adds them reads them again at once
 * ({@link #forget}), and every copy is read again after {@link #MAX_AGE}, so that interfaces
 * another directory instance added (a shared database) show within that time. An unknown name is
 * looked up at once, not only after {@link #MAX_AGE}.
 *
 * <p>A user names an interface as README and the pages show it ("San Jose") as often as by its id
 * ({@code sanjose}), so either is taken, whatever the case.
 */
@ApplicationScoped
public class NetworkInterfaces {
  static final Duration MAX_AGE = Duration.ofSeconds(60);

  /** One interface, detached from any persistence context. */
  public record Via(String name, String displayName, Position position, List<Cidr> ranges) {
    public boolean covers(InetAddress address) {
      return ranges.stream().anyMatch(c -> c.contains(address));
    }
  }

  /**
   * {@code byName} in name order; {@code byKey} by id and by display name, both in lower case. An
   * id wins over another interface's display name that spells the same.
   */
  private record Snapshot(Map<String, Via> byName, Map<String, Via> byKey, long readAtNanos) {}

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

  /** Reads them again at the next use: this instance has just added some. */
  public void forget() {
    snapshot = null;
  }

  /** The interface with that id or display name, in any case. */
  public Optional<Via> named(String name) {
    String key = key(name);
    Optional<Via> found = Optional.ofNullable(current().byKey().get(key));
    return found.isPresent() ? found : Optional.ofNullable(reload().byKey().get(key));
  }

  /** Every interface, in id order. */
  public List<Via> all() {
    return List.copyOf(current().byName().values());
  }

  /** The first interface, by name, whose ranges cover the address. */
  public Optional<Via> covering(InetAddress address) {
    return current().byName().values().stream().filter(n -> n.covers(address)).findFirst();
  }

  /** The ids and display names a login takes, for a refusal to list. */
  private String knownInterfaces() {
    return all().stream()
        .map(v -> v.name() + " (" + v.displayName() + ")")
        .collect(Collectors.joining(", "));
  }

  /**
   * The interface a login attaches through: the one it names (id or display name), else the one
   * whose ranges cover the client's literal IP address; refused clearly otherwise.
   */
  public Via attachedThrough(String name, String clientAddress) {
    if (name != null && !name.isBlank()) {
      return named(name)
          .orElseThrow(
              () ->
                  new DirectoryException(
                      ErrorCode.UNKNOWN_NETWORK_INTERFACE,
                      "no network interface named '" + name + "'; known: " + knownInterfaces(),
                      Map.of(
                          "field",
                          "networkInterface",
                          "accepted",
                          all().stream().map(Via::name).collect(Collectors.joining(", ")))));
    }
    if (clientAddress == null) {
      throw new DirectoryException(
          ErrorCode.UNKNOWN_NETWORK_INTERFACE, "name the network interface you attach through");
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(literal(clientAddress));
    } catch (UnknownHostException | IllegalArgumentException e) {
      throw new DirectoryException(
          ErrorCode.UNKNOWN_NETWORK_INTERFACE, "not an IP address: " + clientAddress);
    }
    return covering(address)
        .orElseThrow(
            () ->
                new DirectoryException(
                    ErrorCode.UNKNOWN_NETWORK_INTERFACE,
                    "no network interface covers "
                        + clientAddress
                        + "; name the one you attach through"));
  }

  /**
   * Only literal addresses: resolving a name here would let a caller make the server look up DNS.
   */
  private static String literal(String address) {
    if (!address.matches("[0-9A-Fa-f:.]+")) {
      throw new IllegalArgumentException(address);
    }
    return address;
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
              n.displayName(),
              new Position(n.position().latitude(), n.position().longitude()),
              n.cidrs().stream().map(Cidr::parse).toList()));
    }
    Map<String, Via> byKey = new LinkedHashMap<>();
    byName.values().forEach(v -> byKey.putIfAbsent(key(v.displayName()), v));
    byName.values().forEach(v -> byKey.put(key(v.name()), v));
    Snapshot s =
        new Snapshot(
            Collections.unmodifiableMap(byName),
            Collections.unmodifiableMap(byKey),
            nanoTime.getAsLong());
    snapshot = s;
    return s;
  }

  private static String key(String name) {
    return name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
  }

  /** Every interface in name order; a seam for tests. */
  List<NetworkInterface> read() {
    return em.createNamedQuery(NetworkInterface.ALL, NetworkInterface.class).getResultList();
  }
}
