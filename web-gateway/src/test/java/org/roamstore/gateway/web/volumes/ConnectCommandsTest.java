package org.roamstore.gateway.web.volumes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConnectCommandsTest {

  private static final IssuedAccess ACCESS = access("off", "nbd://127.0.0.1:10809/xExport_-1");

  private static IssuedAccess access(String nbdTls, String nbdUri) {
    return new IssuedAccess(
        "alice-disk",
        "seattle",
        "seattle",
        "Seattle",
        0.0,
        "SWITCH",
        "NEAREST",
        "portland",
        41.5,
        7,
        "SYNC",
        64L << 20,
        "127.0.0.1",
        10809,
        nbdTls,
        "xExport_-1",
        nbdUri,
        "Token-_1",
        "2030-01-01T00:00:00Z",
        1);
  }

  @Test
  void everyCommandNamesThisAccess() {
    List<ConnectCommands.Command> commands = ConnectCommands.of(ACCESS, "http://gw:8080");
    assertEquals("qemu-img info nbd://127.0.0.1:10809/xExport_-1", commands.get(0).text());
    assertEquals("nbdcopy nbd://127.0.0.1:10809/xExport_-1 alice-disk.img", commands.get(1).text());
    assertEquals("nbd-client -N xExport_-1 127.0.0.1 10809 /dev/nbd0", commands.get(2).text());
    assertEquals(
        "curl -H 'Authorization: Bearer Token-_1' -H 'Range: bytes=0-4095'"
            + " http://gw:8080/api/blocks/alice-disk | od -A d -t x1 | head",
        commands.get(3).text());
    assertEquals(
        "curl -X PUT -H 'Authorization: Bearer Token-_1' -H 'Content-Type:"
            + " application/octet-stream' --data-binary @block.bin"
            + " 'http://gw:8080/api/blocks/alice-disk?offset=0&epoch=7'",
        commands.get(4).text());
  }

  @Test
  void withTlsTheNbdCommandsUseItAndNameTheClientsTlsDirectory() {
    IssuedAccess tls = access("required", "nbds://127.0.0.1:10809/xExport_-1");
    List<ConnectCommands.Command> commands =
        ConnectCommands.of(tls, "http://gw:8080", "/srv/roamstore/tls/client");
    assertEquals(
        "qemu-img info --object"
            + " \"tls-creds-x509,id=tls0,dir=/srv/roamstore/tls/client,endpoint=client\""
            + " --image-opts driver=nbd,host=127.0.0.1,port=10809,export=xExport_-1,tls-creds=tls0",
        commands.get(0).text());
    assertEquals(
        "nbdcopy \"nbds://127.0.0.1:10809/xExport_-1?tls-certificates=/srv/roamstore/tls/client\""
            + " alice-disk.img",
        commands.get(1).text());
    assertEquals(
        "nbd-client -N xExport_-1 -x -A \"/srv/roamstore/tls/client/ca-cert.pem\" 127.0.0.1 10809"
            + " /dev/nbd0",
        commands.get(2).text());
    assertEquals(
        "qemu-img info --object \"tls-creds-x509,id=tls0,dir=$HOME/.roamstore/tls,endpoint=client\""
            + " --image-opts driver=nbd,host=127.0.0.1,port=10809,export=xExport_-1,tls-creds=tls0",
        ConnectCommands.of(tls, "http://gw:8080").get(0).text());
  }

  @Test
  void theResultPageSaysWhetherThePrimaryMovedAndHowLongItTook() {
    assertEquals(
        "moved here from portland; the switch took 42 ms (1 access(es) at the old primary"
            + " revoked)",
        AccessServlet.primaryText(ACCESS));
  }
}
