package org.roamstore.directory.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;
import java.time.Instant;
import java.util.Optional;
import org.roamstore.storage.api.RealVolumeAddress;

/**
 * Real volume information (Fig. 2, 202): one copy of a virtual volume at one data center. The host
 * server and storage system addresses (206, 207) are the data center's, not repeated here.
 */
@Entity
@Table(uniqueConstraints = @UniqueConstraint(columnNames = {"virtualVolume", "dataCenter"}))
@NamedQuery(
    name = RealVolumeInfo.VOLUME_NAMES_AT,
    query =
        "select r.virtualVolume.name from RealVolumeInfo r where r.dataCenter = :dataCenter"
            + " order by r.virtualVolume.name")
public class RealVolumeInfo {
  /** The names of the virtual volumes with a copy at a data center. */
  public static final String VOLUME_NAMES_AT = "RealVolumeInfo.volumeNamesAt";

  @Id @GeneratedValue private Long id;

  @ManyToOne(optional = false, fetch = FetchType.LAZY)
  @JoinColumn(name = "virtualVolume", nullable = false)
  private VirtualVolume virtualVolume;

  @ManyToOne(optional = false, fetch = FetchType.EAGER)
  @JoinColumn(name = "dataCenter", nullable = false)
  private DataCenter dataCenter;

  /** The real volume address (203) inside the data center's storage system. */
  @Column(nullable = false)
  private String volumeId;

  /** The primary flag (204); PRIMARY is reserved in SQL. */
  @Column(name = "primaryFlag", nullable = false)
  private boolean primary;

  /**
   * Whether the copy was added to a volume in use and its initial copy is not known to be done; a
   * login never makes it primary meanwhile. Null (not copying) in rows from before it was kept, so
   * the schema update can add the column to existing rows.
   */
  private Boolean copying;

  /**
   * When the verify that decides whether this copy's initial copy is complete started at the
   * primary (as the primary reported it); null while none is started. Cleared with the mark. Kept
   * as text: the primary's instant has nanoseconds, and a timestamp column would round it, so the
   * verify would never be recognised again.
   */
  @Column(length = 40)
  private String copyVerifyStartedAt;

  /**
   * The data center whose copy this one replaces (a move): that copy is dropped once this one is in
   * sync and verified. Null for a copy that was simply added.
   */
  @Column(length = 64)
  private String replaces;

  protected RealVolumeInfo() {}

  RealVolumeInfo(
      VirtualVolume virtualVolume, DataCenter dataCenter, String volumeId, boolean primary) {
    this.virtualVolume = virtualVolume;
    this.dataCenter = dataCenter;
    this.volumeId = volumeId;
    this.primary = primary;
  }

  public DataCenter dataCenter() {
    return dataCenter;
  }

  public String volumeId() {
    return volumeId;
  }

  public boolean isPrimary() {
    return primary;
  }

  /** Whether its initial copy is still under way (see {@link VirtualVolume#addCopy}). */
  public boolean isCopying() {
    return Boolean.TRUE.equals(copying);
  }

  void markCopying(boolean copying) {
    this.copying = copying ? Boolean.TRUE : null;
    if (!copying) {
      copyVerifyStartedAt = null;
    }
  }

  /** The verify started to check this copy's initial copy, if one is. */
  public Optional<Instant> copyVerifyStartedAt() {
    return Optional.ofNullable(copyVerifyStartedAt).map(Instant::parse);
  }

  /** Records the verify the primary started for this copy; empty forgets it (start another). */
  public void copyVerifyStarted(Optional<Instant> startedAt) {
    this.copyVerifyStartedAt = startedAt.map(Instant::toString).orElse(null);
  }

  /** The data center whose copy is dropped once this one is complete (a move), if any. */
  public Optional<String> replaces() {
    return Optional.ofNullable(replaces);
  }

  void replaces(String dataCenter) {
    this.replaces = dataCenter;
  }

  void markPrimary(boolean primary) {
    this.primary = primary;
  }

  public RealVolumeAddress address() {
    return new RealVolumeAddress(dataCenter.storageSystem(), volumeId);
  }

  @Override
  public String toString() {
    return address()
        + (primary ? " (primary)" : "")
        + (isCopying() ? " (copying)" : "")
        + (replaces == null ? "" : " (replaces " + replaces + ")");
  }
}
