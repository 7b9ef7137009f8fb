package org.roamstore.directory.model;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An address range such as {@code 10.10.0.0/16}: how the gateway tells which network interface a
 * terminal attached through when the caller does not name it.
 */
public record Cidr(byte[] network, int prefixLength) {

  public Cidr {
    network = network.clone();
    if (prefixLength < 0 || prefixLength > network.length * 8) {
      throw new IllegalArgumentException("prefix /" + prefixLength + " does not fit the address");
    }
  }

  /** Parses {@code address/prefix}; a literal address only, never a host name to resolve. */
  public static Cidr parse(String text) {
    int slash = text.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("not a CIDR range (address/prefix): " + text);
    }
    String address = text.substring(0, slash);
    if (!address.matches("[0-9A-Fa-f:.]+")) {
      throw new IllegalArgumentException("not a literal IP address: " + address);
    }
    try {
      return new Cidr(
          InetAddress.getByName(address).getAddress(), Integer.parseInt(text.substring(slash + 1)));
    } catch (UnknownHostException | NumberFormatException e) {
      throw new IllegalArgumentException("not a CIDR range: " + text, e);
    }
  }

  public boolean contains(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (bytes.length != network.length) {
      return false; // IPv4 never matches an IPv6 range and the other way round
    }
    int full = prefixLength / 8;
    for (int i = 0; i < full; i++) {
      if (bytes[i] != network[i]) {
        return false;
      }
    }
    int rest = prefixLength % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (bytes[full] & mask) == (network[full] & mask);
  }

  /** Whether some address is in both ranges: one range holds the other's network address. */
  public boolean overlaps(Cidr other) {
    if (network.length != other.network.length) {
      return false;
    }
    Cidr wider = prefixLength <= other.prefixLength ? this : other;
    Cidr narrower = wider == this ? other : this;
    try {
      return wider.contains(InetAddress.getByAddress(narrower.network));
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // the length was checked when it was made
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c
        && prefixLength == c.prefixLength
        && Arrays.equals(network, c.network);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(network) + prefixLength;
  }

  @Override
  public String toString() {
    try {
      return InetAddress.getByAddress(network).getHostAddress() + "/" + prefixLength;
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // the length was checked when it was made
    }
  }
}
