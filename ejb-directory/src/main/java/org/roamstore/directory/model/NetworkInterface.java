package org.roamstore.directory.model;

import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Embedded;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.NamedQuery;
import java.util.ArrayList;
import java.util.List;

/** A network interface (105): where a user's terminal attaches, by address range and place. */
@Entity
@NamedQuery(name = NetworkInterface.ALL, query = "select n from NetworkInterface n order by n.name")
public class NetworkInterface {
  public static final String ALL = "NetworkInterface.all";

  @Id private String name;

  @Column(nullable = false)
  private String displayName;

  @Embedded private Position position;

  @ElementCollection(fetch = FetchType.EAGER)
  @CollectionTable(name = "NetworkInterfaceCidr", joinColumns = @JoinColumn(name = "interfaceName"))
  @Column(name = "cidr", nullable = false)
  private List<String> cidrs = new ArrayList<>();

  protected NetworkInterface() {}

  public NetworkInterface(String name, String displayName, Position position, List<String> cidrs) {
    this.name = name;
    this.displayName = displayName;
    this.position = position;
    cidrs.forEach(Cidr::parse); // a bad range is refused when it is made, not at a login
    this.cidrs = new ArrayList<>(cidrs);
  }

  public String name() {
    return name;
  }

  public String displayName() {
    return displayName;
  }

  public Position position() {
    return position;
  }

  public List<String> cidrs() {
    return List.copyOf(cidrs);
  }

  /** Whether a terminal at this address attaches through this interface. */
  public boolean covers(java.net.InetAddress address) {
    return cidrs.stream().map(Cidr::parse).anyMatch(c -> c.contains(address));
  }
}
