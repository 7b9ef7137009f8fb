package org.roamstore.directory.model;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class CidrTest {

  private static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal);
  }

  @Test
  void aRangeContainsItsAddressesAndNothingElse() throws Exception {
    Cidr range = Cidr.parse("10.10.0.0/16");

    assertTrue(range.contains(ip("10.10.0.1")));
    assertTrue(range.contains(ip("10.10.255.254")));
    assertFalse(range.contains(ip("10.11.0.1")));
  }

  @Test
  void prefixesThatAreNotWholeBytesAreMasked() throws Exception {
    Cidr range = Cidr.parse("192.168.4.0/22");

    assertTrue(range.contains(ip("192.168.7.200")));
    assertFalse(range.contains(ip("192.168.8.1")));
  }

  @Test
  void ipv4AndIpv6NeverMatchEachOther() throws Exception {
    assertFalse(Cidr.parse("0.0.0.0/0").contains(ip("::1")));
    assertTrue(Cidr.parse("::1/128").contains(ip("::1")));
  }

  @Test
  void badRangesAreRefusedWithoutLookingUpNames() {
    assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0.0"));
    assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0.0/33"));
    assertThrows(IllegalArgumentException.class, () -> Cidr.parse("example.com/8"));
  }

  @Test
  void aNetworkInterfaceCoversTheAddressesOfItsRanges() throws Exception {
    NetworkInterface seattle =
        new NetworkInterface(
            "seattle",
            "Seattle",
            new Position(47.6, -122.3),
            List.of("10.10.0.0/16", "127.0.0.0/8"));

    assertTrue(seattle.covers(ip("127.0.0.1")));
    assertFalse(seattle.covers(ip("10.20.1.1")));
    assertThrows(
        IllegalArgumentException.class,
        () -> new NetworkInterface("x", "X", new Position(0, 0), List.of("nonsense")));
  }

  @Test
  void rangesOverlapWhenOneHoldsTheOthersNetworkEitherWayRound() {
    assertTrue(Cidr.parse("10.0.0.0/8").overlaps(Cidr.parse("10.40.0.0/16")));
    assertTrue(Cidr.parse("10.40.0.0/16").overlaps(Cidr.parse("10.0.0.0/8")));
    assertTrue(Cidr.parse("10.40.0.0/16").overlaps(Cidr.parse("10.40.0.0/16")));
    assertTrue(Cidr.parse("192.168.4.0/22").overlaps(Cidr.parse("192.168.7.0/24")));
  }

  @Test
  void neighbouringRangesAndOtherFamiliesDoNotOverlap() {
    assertFalse(Cidr.parse("10.40.0.0/16").overlaps(Cidr.parse("10.41.0.0/16")));
    assertFalse(Cidr.parse("192.168.4.0/22").overlaps(Cidr.parse("192.168.8.0/24")));
    assertFalse(Cidr.parse("0.0.0.0/0").overlaps(Cidr.parse("::/0")));
  }
}
