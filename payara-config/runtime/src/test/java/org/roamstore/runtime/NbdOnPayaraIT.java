package org.roamstore.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.annotation.Resource;
import java.io.File;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.RealVolumeAddress;
import org.roamstore.storage.api.StorageConnection;
import org.roamstore.storage.api.StorageConnectionFactory;
import org.roamstore.storage.api.TransferType;

/**
 * A real NBD client (qemu-io, Debian's qemu-utils) against the storage connector as Payara Micro
 * runs it: the volume is made through the JCA connection, the bytes travel over NBD.
 */
@ExtendWith(ArquillianExtension.class)
class NbdOnPayaraIT {
  private static final int MIB = 1 << 20;

  @Deployment
  static WebArchive gateway() {
    File war = new File(System.getProperty("roamstore.dist"), "web-gateway.war");
    return ShrinkWrap.createFromZipFile(WebArchive.class, war)
        .addClasses(NbdOnPayaraIT.class, QemuIo.class);
  }

  @Resource(lookup = "roamstore/storage/portland")
  private StorageConnectionFactory portland;

  @Test
  void qemuIoWritesThroughTheConnectorsNbdFrontEndAndTheControlPathReadsItBack() throws Exception {
    String volume = "nbd-it-" + UUID.randomUUID().toString().substring(0, 8);
    String export = "token-" + UUID.randomUUID();
    try (StorageConnection storage = portland.getConnection()) {
      storage.createVolume(volume, 16 * MIB);
      storage.defineCopyGroup(
          new CopyVolumeGroupInfo(
              volume,
              TransferType.ASYNC,
              1,
              List.of(new CopyGroupMember(new RealVolumeAddress("portland", volume), true))));
      storage.registerExport(export, volume, 1);
      String uri = "nbd://127.0.0.1:" + storage.status().nbdPort() + "/" + export;

      // Unaligned on purpose: 3 bytes past a sector boundary, across a 4 KiB page.
      QemuIo.Result written =
          QemuIo.run(uri, "write -P 0x5a 4099 65536", "flush", "read -P 0x5a 4099 65536");
      assertEquals(0, written.exit(), written.output());
      assertTrue(!written.output().contains("verification failed"), written.output());

      byte[] expected = new byte[65536];
      Arrays.fill(expected, (byte) 0x5a);
      assertArrayEquals(expected, storage.read(volume, 1, 4099, 65536));
      assertEquals(
          0, storage.read(volume, 1, 4098, 1)[0], "the byte before the write is untouched");

      QemuIo.Result refused =
          QemuIo.run(
              "nbd://127.0.0.1:" + storage.status().nbdPort() + "/no-such-token", "read 0 512");
      assertNotEquals(0, refused.exit(), "an unknown export name is refused: " + refused.output());
    }
  }
}
