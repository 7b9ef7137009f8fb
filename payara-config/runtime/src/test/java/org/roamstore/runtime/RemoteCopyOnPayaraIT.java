package org.roamstore.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.annotation.Resource;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.roamstore.storage.api.CacheSynchronization;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyGroupStatus;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.RealVolumeAddress;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.StorageConnectionFactory;
import org.roamstore.storage.api.TransferType;

/**
 * Remote copy between the three demo sites as Payara Micro runs them: the storage connector's
 * control units copy through the site broker (the launcher's BrokerUrl), qemu-io writes through the
 * primary's NBD front end, and after a synchronize cache every secondary's volume file on disk
 * holds the same bytes as the primary's.
 */
@ExtendWith(ArquillianExtension.class)
class RemoteCopyOnPayaraIT {
  private static final int MIB = 1 << 20;
  private static final String[] SITES = {"seattle", "portland", "sanfrancisco"};

  @Deployment
  static WebArchive gateway() {
    File war = new File(System.getProperty("roamstore.dist"), "web-gateway.war");
    return ShrinkWrap.createFromZipFile(WebArchive.class, war)
        .addClasses(RemoteCopyOnPayaraIT.class, QemuIo.class);
  }

  @Resource(lookup = "roamstore/storage/seattle")
  private StorageConnectionFactory seattle;

  @Resource(lookup = "roamstore/storage/portland")
  private StorageConnectionFactory portland;

  @Resource(lookup = "roamstore/storage/sanfrancisco")
  private StorageConnectionFactory sanfrancisco;

  @Test
  void asyncWritesThroughNbdReachEverySecondaryByteForByte() throws Exception {
    copyAndCompare(TransferType.ASYNC);
  }

  @Test
  void syncWritesThroughNbdReachEverySecondaryByteForByte() throws Exception {
    copyAndCompare(TransferType.SYNC);
  }

  private void copyAndCompare(TransferType type) throws Exception {
    String volume =
        "rc-it-" + type.name().toLowerCase() + "-" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, StorageConnectionFactory> sites =
        Map.of("seattle", seattle, "portland", portland, "sanfrancisco", sanfrancisco);
    List<CopyGroupMember> members = new ArrayList<>();
    for (String site : SITES) {
      members.add(new CopyGroupMember(new RealVolumeAddress(site, volume), site.equals("seattle")));
    }
    CopyVolumeGroupInfo group = new CopyVolumeGroupInfo(volume, type, 1, members);
    for (String site : SITES) {
      try (StorageConnection c = sites.get(site).getConnection()) {
        c.createVolume(volume, 16 * MIB);
        c.defineCopyGroup(group);
      }
    }
    String export = "token-" + UUID.randomUUID();
    try (StorageConnection primary = seattle.getConnection()) {
      primary.registerExport(export, volume, 1);
      String uri = "nbd://127.0.0.1:" + primary.status().nbdPort() + "/" + export;
      QemuIo.Result written =
          QemuIo.run(
              uri,
              "write -P 0x5a 4099 65536", // unaligned, across pages
              "write -P 0xa5 1048576 2097152", // large and aligned: around the cache
              "write -z 8388608 131072",
              "write -P 0x3c 15728640 4096",
              "flush");
      assertEquals(0, written.exit(), written.output());

      CacheSynchronization sync =
          primary.synchronizeCache(volume, Set.of(), Duration.ofSeconds(60));
      assertEquals(Set.of("portland", "sanfrancisco"), sync.sequences().keySet());
      CopyGroupStatus status = primary.copyGroupStatus(volume);
      assertEquals(CopyGroupStatus.Role.PRIMARY, status.role());
      for (CopyGroupStatus.SecondaryStatus s : status.secondaries()) {
        assertEquals(CopyGroupStatus.State.IN_SYNC, s.state(), s.toString());
      }
      primary.flush(volume);
    }
    Path storage = Path.of(System.getProperty("roamstore.data"), "storage");
    byte[] expected = Files.readAllBytes(storage.resolve("seattle/volumes/" + volume + ".vol"));
    assertEquals(0x5a, expected[4099] & 0xff, "the primary's file has qemu-io's bytes");
    assertEquals(0xa5, expected[2 * MIB] & 0xff);
    for (String site : List.of("portland", "sanfrancisco")) {
      byte[] copy = Files.readAllBytes(storage.resolve(site + "/volumes/" + volume + ".vol"));
      assertArrayEquals(expected, copy, site + "'s copy on disk");
      try (StorageConnection c = sites.get(site).getConnection()) {
        CopyGroupStatus status = c.copyGroupStatus(volume);
        assertEquals(CopyGroupStatus.Role.SECONDARY, status.role());
        assertNotNull(status.applied());
        assertTrue(status.applied().durableSequence() > 0, status.toString());
      }
    }
  }
}
