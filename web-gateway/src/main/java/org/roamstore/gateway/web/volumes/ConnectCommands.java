package org.roamstore.gateway.web.volumes;

import java.util.List;

/**
 * The copy-paste commands of the result page for one access. Export names and tokens are URL-safe
 * base64 and host names come from the directory, so nothing here needs shell quoting beyond the
 * single quotes around URLs with a query.
 */
public final class ConnectCommands {

  /** One command with what it is for. */
  public record Command(String id, String purpose, String text) {}

  private ConnectCommands() {}

  public static List<Command> of(IssuedAccess a, String gatewayBase) {
    String blocks = gatewayBase + "/api/blocks/" + a.volume();
    return List.of(
        new Command(
            "cmd-qemu-img", "Check the volume (size, format):", "qemu-img info " + a.nbdUri()),
        new Command(
            "cmd-nbdcopy",
            "Copy the whole volume into a local file (libnbd's nbdcopy):",
            "nbdcopy " + a.nbdUri() + " " + a.volume() + ".img"),
        new Command(
            "cmd-nbd-client",
            "Attach it as a block device (as root, after modprobe nbd):",
            "nbd-client -N "
                + a.exportName()
                + " "
                + a.nbdHost()
                + " "
                + a.nbdPort()
                + " /dev/nbd0"),
        new Command(
            "cmd-rest-read",
            "Read the first 4 KiB over HTTP (REST block API):",
            "curl -H 'Authorization: Bearer "
                + a.bearerToken()
                + "' -H 'Range: bytes=0-4095' "
                + blocks
                + " | od -A d -t x1 | head"),
        new Command(
            "cmd-rest-write",
            "Write a file at offset 0 over HTTP (only at this epoch):",
            "curl -X PUT -H 'Authorization: Bearer "
                + a.bearerToken()
                + "' -H 'Content-Type: application/octet-stream' --data-binary @block.bin '"
                + blocks
                + "?offset=0&epoch="
                + a.epoch()
                + "'"));
  }
}
