package org.roamstore.directory.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.failure.ErrorCode;
import org.roamstore.directory.model.NetworkInterface;
import org.roamstore.directory.model.Position;

class NetworkInterfacesTest {
  private final AtomicLong now = new AtomicLong();
  private final List<NetworkInterface> table = new ArrayList<>();
  private int reads;

  private final NetworkInterfaces interfaces =
      new NetworkInterfaces(now::get) {
        @Override
        List<NetworkInterface> read() {
          reads++;
          return List.copyOf(table);
        }
      };

  private static NetworkInterface iface(String name, String cidr) {
    return new NetworkInterface(name, name, new Position(47.6, -122.3), List.of(cidr));
  }

  @Test
  void theTableIsReadOnceAndThenAgainOnlyWhenOldOrAskedForANameItLacks() throws Exception {
    table.add(iface("seattle", "10.1.0.0/16"));
    table.add(iface("tacoma", "10.2.0.0/16"));

    assertEquals("seattle", interfaces.named("seattle").orElseThrow().name());
    assertEquals(
        "tacoma", interfaces.covering(InetAddress.getByName("10.2.3.4")).orElseThrow().name());
    assertEquals(1, reads);

    table.add(iface("eugene", "10.3.0.0/16"));
    assertEquals("eugene", interfaces.named("eugene").orElseThrow().name(), "a new name is found");
    assertEquals(2, reads);
    assertTrue(interfaces.named("atlantis").isEmpty());
    assertEquals(3, reads, "an unknown name is looked for once more, then refused");

    table.clear();
    table.add(iface("seattle", "10.9.0.0/16"));
    now.addAndGet(NetworkInterfaces.MAX_AGE.toNanos() + 1);
    assertTrue(
        interfaces.covering(InetAddress.getByName("10.9.0.1")).isPresent(),
        "after the maximum age the table is read again");
    assertEquals(4, reads);
  }

  @Test
  void anInterfaceIsFoundByItsIdOrItsDisplayNameInAnyCase() {
    table.add(new NetworkInterface("sanjose", "San Jose", new Position(37.3, -121.9), List.of()));
    table.add(new NetworkInterface("seattle", "Seattle", new Position(47.6, -122.3), List.of()));

    for (String asked : List.of("sanjose", "SanJose", "San Jose", "san jose", " SAN JOSE ")) {
      assertEquals("sanjose", interfaces.named(asked).orElseThrow().name(), asked);
    }
    assertTrue(interfaces.named("San  Jose").isEmpty(), "only the names as written are taken");
    assertTrue(interfaces.named("jose").isEmpty());
    assertEquals(
        List.of("sanjose", "seattle"), interfaces.all().stream().map(v -> v.name()).toList());
    assertEquals("San Jose", interfaces.all().get(0).displayName());
  }

  @Test
  void anIdWinsOverAnotherInterfacesDisplayNameSpelledTheSame() {
    table.add(new NetworkInterface("east", "West", new Position(0, 0), List.of()));
    table.add(new NetworkInterface("west", "Westside", new Position(0, 1), List.of()));

    assertEquals("west", interfaces.named("WEST").orElseThrow().name());
    assertEquals("east", interfaces.named("east").orElseThrow().name());
  }

  @Test
  void aLoginAttachesThroughTheNamedInterfaceOrTheOneCoveringItsAddressAndNothingElse() {
    table.add(iface("seattle", "10.1.0.0/16"));
    table.add(iface("tacoma", "10.2.0.0/16"));

    assertEquals("tacoma", interfaces.attachedThrough("Tacoma", "10.1.0.1").name(), "a name wins");
    assertEquals("seattle", interfaces.attachedThrough(null, "10.1.2.3").name());
    assertEquals("seattle", interfaces.attachedThrough(" ", "10.1.2.3").name());

    DirectoryException unknown =
        assertThrows(DirectoryException.class, () -> interfaces.attachedThrough("atlantis", null));
    assertEquals(ErrorCode.UNKNOWN_NETWORK_INTERFACE, unknown.code());
    assertTrue(unknown.getMessage().contains("seattle (seattle)"), unknown.getMessage());
    for (String address : List.of("10.9.0.1", "example.org", "10.1.0.1; rm", "")) {
      DirectoryException refused =
          assertThrows(
              DirectoryException.class, () -> interfaces.attachedThrough(null, address), address);
      assertEquals(ErrorCode.UNKNOWN_NETWORK_INTERFACE, refused.code(), address);
    }
    assertThrows(DirectoryException.class, () -> interfaces.attachedThrough(null, null));
  }
}
