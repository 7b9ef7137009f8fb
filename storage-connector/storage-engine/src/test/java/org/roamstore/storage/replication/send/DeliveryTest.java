package org.roamstore.storage.replication.send;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.roamstore.storage.replication.batch.StreamKey;

/** Which batches travel together in one message, and that each secondary's stay in order. */
class DeliveryTest {
  private static final StreamKey STREAM = new StreamKey(3, 1);

  @Test
  void theSameBatchesOfTwoSecondariesGoAsOneMessageAndDifferentOnesApart() {
    Shipment a1 = shipment("g", "portland", 1, false, 0x11);
    Shipment b1 = shipment("g", "sanfrancisco", 5, false, 0x11);
    Shipment a2 = shipment("g", "portland", 2, false, 0x22);
    Shipment b2 = shipment("g", "sanfrancisco", 6, false, 0x33);
    assertEquals(
        List.of(List.of(a1, b1), List.of(a2), List.of(b2)),
        shipments(Delivery.of(List.of(a1, b1, a2, b2))));
  }

  @Test
  void aBatchIsJoinedOnlyWithTheNextOfAnotherSecondarySoEachStaysInOrder() {
    Shipment a1 = shipment("g", "portland", 1, false, 0x11);
    Shipment a2 = shipment("g", "portland", 2, false, 0x22);
    Shipment b1 = shipment("g", "sanfrancisco", 1, false, 0x22);
    Shipment b2 = shipment("g", "sanfrancisco", 2, false, 0x11);
    // a1 equals b2, but b1 must go first: a1 goes alone, a2 with b1, b2 alone.
    assertEquals(
        List.of(List.of(a1), List.of(a2, b1), List.of(b2)),
        shipments(Delivery.of(List.of(a1, a2, b1, b2))));
  }

  @Test
  void otherGroupsAndOtherKindsAreNeverJoined() {
    Shipment a = shipment("g", "portland", 1, false, 0x11);
    Shipment otherGroup = shipment("h", "sanfrancisco", 1, false, 0x11);
    Shipment retained = shipment("g", "sanfrancisco", 1, true, 0x11);
    assertEquals(
        List.of(List.of(a), List.of(otherGroup), List.of(retained)),
        shipments(Delivery.of(List.of(a, otherGroup, retained))));
  }

  private static List<List<Shipment>> shipments(List<Delivery> deliveries) {
    return deliveries.stream().map(Delivery::shipments).toList();
  }

  private static Shipment shipment(
      String group, String site, long first, boolean retained, int fill) {
    OutgoingBatch batch = new OutgoingBatch(STREAM, first, retained, 64 * 1024);
    byte[] data = new byte[4096];
    java.util.Arrays.fill(data, (byte) fill);
    batch.add(0, data.length, ByteBuffer.wrap(data));
    return new Shipment(group, site, null, batch);
  }
}
