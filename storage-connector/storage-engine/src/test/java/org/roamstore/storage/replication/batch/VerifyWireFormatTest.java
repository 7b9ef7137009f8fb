package org.roamstore.storage.replication.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Verify entries in a batch and digests in an acknowledgement, and what is refused. */
class VerifyWireFormatTest {

  @Test
  void aVerifyEntryTravelsBetweenWritesAndWritesNothing() {
    ByteBuffer body = ByteBuffer.allocate(1024);
    BatchFormat.putEntry(body, 0, 3, ByteBuffer.wrap(new byte[] {1, 2, 3}));
    BatchFormat.putVerify(body, 1 << 20, 1 << 20);
    BatchFormat.putEntry(body, 8, 4096, null);
    List<BatchEntry> entries = BatchFormat.entries(body.flip());
    assertEquals(3, entries.size());
    assertTrue(entries.get(1).verify());
    assertFalse(entries.get(1).writes());
    assertFalse(entries.get(1).isZeroes());
    assertEquals(1 << 20, entries.get(1).offset());
    assertTrue(entries.get(2).isZeroes() && entries.get(2).writes());
  }

  @Test
  void anUnknownKindIsRefused() {
    ByteBuffer body = ByteBuffer.allocate(17).putLong(0).putLong(1).put((byte) 3).flip();
    assertThrows(IllegalArgumentException.class, () -> BatchFormat.entries(body));
  }

  @Test
  void digestsRoundTripAndHostileListsAreRefused() {
    byte[] d = RegionDigest.of(ByteBuffer.wrap("x".getBytes()));
    List<RegionDigest> two = List.of(new RegionDigest(0, d), new RegionDigest(1 << 20, d));
    assertEquals(two, RegionDigest.decode(RegionDigest.encode(two)));
    assertEquals(List.of(), RegionDigest.decode(null));
    String shortDigest = "0:" + Base64.getEncoder().encodeToString(new byte[5]);
    assertThrows(IllegalArgumentException.class, () -> RegionDigest.decode(shortDigest));
    assertThrows(IllegalArgumentException.class, () -> RegionDigest.decode("-1:" + b64(d)));
    assertThrows(IllegalArgumentException.class, () -> RegionDigest.decode("zero:" + b64(d)));
    assertThrows(IllegalArgumentException.class, () -> RegionDigest.decode("no colon"));
    List<RegionDigest> many = new ArrayList<>();
    for (int i = 0; i <= RegionDigest.MAX_PER_ACK; i++) {
      many.add(new RegionDigest(i, d));
    }
    String tooMany = RegionDigest.encode(many);
    assertThrows(IllegalArgumentException.class, () -> RegionDigest.decode(tooMany));
  }

  private static String b64(byte[] d) {
    return Base64.getEncoder().encodeToString(d);
  }
}
