package org.roamstore.gateway.web.volumes;

import java.io.Serializable;
import org.roamstore.directory.login.LoginResult;

/** What the result page shows of one login, kept in the session until sign-out revokes it. */
public record IssuedAccess(
    String volume,
    String networkInterface,
    String dataCenter,
    String dataCenterDisplayName,
    double distanceKm,
    String outcome,
    String reason,
    String previousPrimary,
    Double switchMillis,
    long epoch,
    String transferType,
    long sizeBytes,
    String nbdHost,
    int nbdPort,
    String nbdTls,
    String exportName,
    String nbdUri,
    String bearerToken,
    String expiresAt,
    int revokedGrants)
    implements Serializable {

  static IssuedAccess of(LoginResult r) {
    return new IssuedAccess(
        r.volume(),
        r.networkInterface(),
        r.dataCenter(),
        r.dataCenterDisplayName(),
        r.distanceKm(),
        r.outcome().name(),
        r.reason().name(),
        r.previousPrimary(),
        r.switchTook() == null ? null : r.switchTook().toNanos() / 1_000_000.0,
        r.epoch(),
        r.transferType(),
        r.sizeBytes(),
        r.nbdHost(),
        r.nbdPort(),
        r.nbdTls().text(),
        r.exportName(),
        r.nbdUri(),
        r.bearerToken(),
        r.expiresAt().toString(),
        r.revokedGrants());
  }

  /** Whether the site's NBD server speaks TLS (optional or required): show the TLS commands. */
  public boolean nbdTlsOffered() {
    return !"off".equals(nbdTls);
  }

  public boolean primaryMoved() {
    return previousPrimary != null;
  }
}
