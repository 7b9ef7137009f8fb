package org.roamstore.storage.copygroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.RealVolumeAddress;
import org.roamstore.storage.api.TransferType;

class CopyGroupStoreTest {
  @TempDir Path dir;

  private static CopyVolumeGroupInfo group(long epoch, String primarySite) {
    return new CopyVolumeGroupInfo(
        "g-1",
        TransferType.ASYNC,
        epoch,
        List.of(
            new CopyGroupMember(
                new RealVolumeAddress("seattle", "v1"), primarySite.equals("seattle")),
            new CopyGroupMember(new RealVolumeAddress("sf", "v9"), primarySite.equals("sf"))));
  }

  @Test
  void savedGroupsLoadBackEqualAndLeaveNoTemporaryFiles() throws IOException {
    CopyGroupStore store = new CopyGroupStore(dir);
    store.save(group(1, "seattle"));
    store.save(group(2, "sf"));

    List<CopyVolumeGroupInfo> loaded = new CopyGroupStore(dir).loadAll();
    assertEquals(List.of(group(2, "sf")), loaded);
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of("g-1.group"), files.map(p -> p.getFileName().toString()).toList());
    }
  }

  @Test
  void deleteRemovesTheGroup() throws IOException {
    CopyGroupStore store = new CopyGroupStore(dir);
    store.save(group(1, "seattle"));
    store.delete("g-1");
    assertTrue(store.loadAll().isEmpty());
  }

  @Test
  void corruptFileIsReportedWithItsName() throws IOException {
    Files.writeString(dir.resolve("bad.group"), "groupId=bad\nepoch=zero\n");
    IOException e = assertThrows(IOException.class, () -> new CopyGroupStore(dir).loadAll());
    assertTrue(e.getMessage().contains("bad.group"), e.getMessage());
  }
}
