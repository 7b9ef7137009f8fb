package org.roamstore.directory.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.NamedQuery;
import java.time.Instant;

/**
 * What a successful login hands out: access to one real volume at one data center, bound to the
 * copy group's epoch. The NBD export name is kept as is (the storage control unit must be told to
 * revoke it); the bearer token only as a SHA-256 hash, since the directory never needs it back.
 */
@Entity
@NamedQuery(
    name = AccessGrant.ACTIVE_FOR_VOLUME,
    query =
        "select g from AccessGrant g where g.virtualVolume = :volume and g.revokedAt is null"
            + " and g.expiresAt > :now order by g.id")
@NamedQuery(
    name = AccessGrant.BY_BEARER_HASH,
    query = "select g from AccessGrant g where g.bearerTokenHash = :hash")
@NamedQuery(
    name = AccessGrant.ACTIVE_AT,
    query =
        "select count(g) from AccessGrant g where g.dataCenter = :dataCenter"
            + " and g.revokedAt is null and g.expiresAt > :now")
@NamedQuery(
    name = AccessGrant.DELETE_AT,
    query = "delete from AccessGrant g where g.dataCenter = :dataCenter")
public class AccessGrant {
  public static final String ACTIVE_FOR_VOLUME = "AccessGrant.activeForVolume";
  public static final String BY_BEARER_HASH = "AccessGrant.byBearerHash";

  /** How many grants at a data center are still valid. */
  public static final String ACTIVE_AT = "AccessGrant.activeAt";

  /** Deletes every grant at a data center (the history of a data center being removed). */
  public static final String DELETE_AT = "AccessGrant.deleteAt";

  @Id @GeneratedValue private Long id;

  @ManyToOne(optional = false, fetch = FetchType.LAZY)
  @JoinColumn(name = "virtualVolume", nullable = false)
  private VirtualVolume virtualVolume;

  @ManyToOne(optional = false, fetch = FetchType.EAGER)
  @JoinColumn(name = "dataCenter", nullable = false)
  private DataCenter dataCenter;

  @Column(nullable = false)
  private String userName;

  @Column(nullable = false)
  private String networkInterface;

  @Column(nullable = false, unique = true)
  private String exportName;

  @Column(nullable = false, unique = true, length = 64)
  private String bearerTokenHash;

  @Column(nullable = false)
  private long epoch;

  @Column(nullable = false)
  private Instant issuedAt;

  @Column(nullable = false)
  private Instant expiresAt;

  private Instant revokedAt;

  protected AccessGrant() {}

  public AccessGrant(
      VirtualVolume virtualVolume,
      DataCenter dataCenter,
      String userName,
      String networkInterface,
      String exportName,
      String bearerTokenHash,
      long epoch,
      Instant issuedAt,
      Instant expiresAt) {
    this.virtualVolume = virtualVolume;
    this.dataCenter = dataCenter;
    this.userName = userName;
    this.networkInterface = networkInterface;
    this.exportName = exportName;
    this.bearerTokenHash = bearerTokenHash;
    this.epoch = epoch;
    this.issuedAt = issuedAt;
    this.expiresAt = expiresAt;
  }

  public Long id() {
    return id;
  }

  public VirtualVolume virtualVolume() {
    return virtualVolume;
  }

  public DataCenter dataCenter() {
    return dataCenter;
  }

  public String userName() {
    return userName;
  }

  public String exportName() {
    return exportName;
  }

  public long epoch() {
    return epoch;
  }

  public Instant expiresAt() {
    return expiresAt;
  }

  public boolean isRevoked() {
    return revokedAt != null;
  }

  public boolean isActive(Instant now) {
    return revokedAt == null && expiresAt.isAfter(now);
  }

  public void revoke(Instant at) {
    if (revokedAt == null) {
      revokedAt = at;
    }
  }
}
