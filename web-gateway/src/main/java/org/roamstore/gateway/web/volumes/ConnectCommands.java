package org.roamstore.gateway.web.volumes;

import java.util.List;

/**
 * The copy-paste commands of the result page for one access. Export names and tokens are URL-safe
 * base64 and host names come from the directory, so nothing here needs shell quoting beyond the
 * single quotes around URLs with a query, and double quotes around what names the TLS directory
 * (which may be given as {@code $HOME/...}, for the shell to expand).
 *
 * <p>When the site's NBD server speaks TLS the NBD commands use it: qemu with a {@code
 * tls-creds-x509} object, libnbd with {@code nbds://} and {@code tls-certificates}, nbd-client with
 * {@code -x -A}. The client's TLS directory holds the CA certificate as {@code ca-cert.pem}, and
 * {@code client-cert.pem} and {@code client-key.pem} where the site asks for client certificates.
 */
public final class ConnectCommands {

  /** Where the commands say the client's TLS files are unless the gateway is told otherwise. */
  public static final String DEFAULT_TLS_DIRECTORY = "$HOME/.roamstore/tls";

  /** One command with what it is for. */
  public record Command(String id, String purpose, String text) {}

  private ConnectCommands() {}

  public static List<Command> of(IssuedAccess a, String gatewayBase) {
    return of(a, gatewayBase, DEFAULT_TLS_DIRECTORY);
  }

  /** {@code tlsDirectory}: the client's TLS directory as the commands should name it. */
  public static List<Command> of(IssuedAccess a, String gatewayBase, String tlsDirectory) {
    String blocks = gatewayBase + "/api/blocks/" + a.volume();
    boolean tls = a.nbdTlsOffered();
    String libnbdUri =
        tls ? "\"" + a.nbdUri() + "?tls-certificates=" + tlsDirectory + "\"" : a.nbdUri();
    return List.of(
        new Command(
            "cmd-qemu-img",
            "Check the volume (size, format):",
            tls
                ? "qemu-img info --object \"tls-creds-x509,id=tls0,dir="
                    + tlsDirectory
                    + ",endpoint=client\" --image-opts driver=nbd,host="
                    + a.nbdHost()
                    + ",port="
                    + a.nbdPort()
                    + ",export="
                    + a.exportName()
                    + ",tls-creds=tls0"
                : "qemu-img info " + a.nbdUri()),
        new Command(
            "cmd-nbdcopy",
            "Copy the whole volume into a local file (libnbd's nbdcopy):",
            "nbdcopy " + libnbdUri + " " + a.volume() + ".img"),
        new Command(
            "cmd-nbd-client",
            "Attach it as a block device (as root, after modprobe nbd):",
            "nbd-client -N "
                + a.exportName()
                + (tls ? " -x -A \"" + tlsDirectory + "/ca-cert.pem\"" : "")
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
