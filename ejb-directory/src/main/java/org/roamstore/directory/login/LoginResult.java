package org.roamstore.directory.login;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.roamstore.storage.api.NbdTlsMode;

/**
 * Step 808 of Fig. 8: the real volume information the user is to use, and the access to it.
 *
 * @param outcome what the login did ({@link LoginPolicy.Outcome})
 * @param reason why ({@link LoginPolicy.Reason})
 * @param previousPrimary the data center that was primary before a switch, else null
 * @param revokedGrants how many access grants at other sites this login revoked
 * @param skippedMembers for a forced takeover: members not reached, with why
 * @param possibleLoss for a forced takeover: what may have been lost, in words
 * @param switchTook how long the copy volume group definition took, null when nothing switched
 * @param nbdTls whether the site's NBD server speaks TLS; if it does, the URI is {@code nbds://}
 */
public record LoginResult(
    String user,
    String volume,
    String networkInterface,
    String dataCenter,
    String dataCenterDisplayName,
    double distanceKm,
    String realVolumeAddress,
    String hostServer,
    String storageSystem,
    long epoch,
    String transferType,
    long sizeBytes,
    String nbdHost,
    int nbdPort,
    NbdTlsMode nbdTls,
    String exportName,
    String bearerToken,
    Instant expiresAt,
    LoginPolicy.Outcome outcome,
    LoginPolicy.Reason reason,
    String previousPrimary,
    int revokedGrants,
    Map<String, String> skippedMembers,
    String possibleLoss,
    Duration switchTook) {

  /**
   * The NBD URI, {@code nbds://} when TLS is optional or required (the client then needs the CA).
   */
  public String nbdUri() {
    return (nbdTls.offered() ? "nbds://" : "nbd://") + nbdHost + ":" + nbdPort + "/" + exportName;
  }
}
