package org.roamstore.directory.model;

import jakarta.persistence.CascadeType;
import jakarta.persistence.Column;
import jakarta.persistence.Embedded;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.OneToMany;
import jakarta.persistence.OrderBy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.roamstore.storage.api.CopyGroupMember;
import org.roamstore.storage.api.CopyVolumeGroupInfo;
import org.roamstore.storage.api.RealVolumeAddress;
import org.roamstore.storage.api.SyncFailurePolicy;
import org.roamstore.storage.api.TransferType;

/**
 * Virtual volume information (Fig. 2, 120): what a user sees, and the real volumes that hold it,
 * exactly one of them primary. The storage id names the copy volume group and the real volume at
 * every site, so it is generated once and never changes even if the volume is renamed.
 *
 * <p>There is no {@code @Version}: every change goes through a pessimistic write lock on this row
 * (see {@link #BY_NAME}), which is what keeps two concurrent logins from making two primaries.
 */
@Entity
@NamedQuery(
    name = VirtualVolume.BY_NAME,
    query = "select v from VirtualVolume v where v.name = :name")
@NamedQuery(name = VirtualVolume.ALL, query = "select v from VirtualVolume v order by v.name")
@NamedQuery(
    name = VirtualVolume.WITH_MEMBER_AT,
    query =
        "select distinct v from VirtualVolume v join v.realVolumes r"
            + " where r.dataCenter.name = :dataCenter order by v.name")
@NamedQuery(
    name = VirtualVolume.NAMES_WITH_COPY_WORK,
    query =
        "select distinct v.name from VirtualVolume v join v.realVolumes r"
            + " where r.copying = true or r.replaces is not null order by v.name")
public class VirtualVolume {
  public static final String BY_NAME = "VirtualVolume.byName";
  public static final String ALL = "VirtualVolume.all";
  public static final String WITH_MEMBER_AT = "VirtualVolume.withMemberAt";

  /** Names of the volumes with a copy still copying or waiting to replace another (a move). */
  public static final String NAMES_WITH_COPY_WORK = "VirtualVolume.namesWithCopyWork";

  @Id private String storageId;

  @Column(nullable = false, unique = true)
  private String name;

  @ManyToOne(optional = false, fetch = FetchType.LAZY)
  private DirectoryUser owner;

  @Column(nullable = false)
  private long sizeBytes;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  private TransferType transferType;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  private TakeoverPolicy takeoverPolicy;

  /**
   * What a SYNC primary does when a secondary stops answering; null in rows from before it was
   * kept, which have the default.
   */
  @Enumerated(EnumType.STRING)
  @Column(length = 32)
  private SyncFailurePolicy syncFailurePolicy;

  /** Seconds a new primary stays before another login may move it again (against ping-pong). */
  @Column(nullable = false)
  private long minimumStaySeconds;

  /** The epoch of the current primary; storage control units may be ahead (see the login). */
  @Column(nullable = false)
  private long epoch;

  /** When the primary last moved; null while it is where provisioning put it. */
  private Instant lastSwitchAt;

  @Column(nullable = false)
  private Instant createdAt;

  /** Off unless an admin set one; null when every column is (Hibernate loads it so). */
  @Embedded private PlacementPolicy placement;

  @OneToMany(
      mappedBy = "virtualVolume",
      cascade = CascadeType.ALL,
      orphanRemoval = true,
      fetch = FetchType.EAGER)
  @OrderBy("id")
  private List<RealVolumeInfo> realVolumes = new ArrayList<>();

  protected VirtualVolume() {}

  public VirtualVolume(
      String storageId,
      String name,
      DirectoryUser owner,
      long sizeBytes,
      TransferType transferType,
      TakeoverPolicy takeoverPolicy,
      SyncFailurePolicy syncFailurePolicy,
      Duration minimumStay) {
    this.storageId = storageId;
    this.name = name;
    this.owner = owner;
    this.sizeBytes = sizeBytes;
    this.transferType = transferType;
    this.takeoverPolicy = takeoverPolicy;
    this.syncFailurePolicy = syncFailurePolicy;
    this.minimumStaySeconds = minimumStay.toSeconds();
    this.epoch = 1;
    this.createdAt = Instant.now();
  }

  /** Adds a copy at a site; the first one added is the primary. */
  public RealVolumeInfo addRealVolume(DataCenter dataCenter) {
    RealVolumeInfo real = new RealVolumeInfo(this, dataCenter, storageId, realVolumes.isEmpty());
    realVolumes.add(real);
    return real;
  }

  /**
   * Adds a copy at a site to a volume that already has its primary: a secondary marked copying
   * until its initial copy is in sync ({@link #copyInSync}).
   */
  public RealVolumeInfo addCopy(DataCenter dataCenter) {
    return addCopy(dataCenter, null);
  }

  /**
   * Adds a copy that replaces the copy at {@code replaced} once it is complete (a move); null: a
   * copy simply added.
   */
  public RealVolumeInfo addCopy(DataCenter dataCenter, String replaced) {
    if (realVolumes.isEmpty()) {
      throw new IllegalStateException("virtual volume " + name + " has no primary to copy from");
    }
    if (realVolumeAt(dataCenter.name()).isPresent()) {
      throw new IllegalArgumentException(name + " already has a copy at " + dataCenter.name());
    }
    if (replaced != null && realVolumeAt(replaced).isEmpty()) {
      throw new IllegalArgumentException(name + " has no copy at " + replaced + " to replace");
    }
    RealVolumeInfo real = addRealVolume(dataCenter);
    real.markCopying(true);
    real.replaces(replaced);
    return real;
  }

  /** The move this copy was added for is over (its old copy dropped, or no longer to drop). */
  public void replaced(RealVolumeInfo real) {
    real.replaces(null);
  }

  /** The copy's initial copy is done: logins may choose it from now on. */
  public void copyInSync(RealVolumeInfo real) {
    real.markCopying(false);
  }

  /** Removes a secondary's record; the primary is never removed this way. */
  public void removeCopy(RealVolumeInfo real) {
    if (real.isPrimary()) {
      throw new IllegalArgumentException(real + " is the primary of " + name);
    }
    if (!realVolumes.remove(real)) {
      throw new IllegalArgumentException(real + " is not a real volume of " + name);
    }
  }

  public String storageId() {
    return storageId;
  }

  public String name() {
    return name;
  }

  public DirectoryUser owner() {
    return owner;
  }

  public boolean isOwnedBy(String userName) {
    return owner.name().equals(userName);
  }

  public long sizeBytes() {
    return sizeBytes;
  }

  public TransferType transferType() {
    return transferType;
  }

  public TakeoverPolicy takeoverPolicy() {
    return takeoverPolicy;
  }

  public SyncFailurePolicy syncFailurePolicy() {
    return syncFailurePolicy == null ? SyncFailurePolicy.MARK_OUT_OF_SYNC : syncFailurePolicy;
  }

  public Duration minimumStay() {
    return Duration.ofSeconds(minimumStaySeconds);
  }

  public long epoch() {
    return epoch;
  }

  public Optional<Instant> lastSwitchAt() {
    return Optional.ofNullable(lastSwitchAt);
  }

  public Instant createdAt() {
    return createdAt;
  }

  /**
   * Its placement policy as it stands; an unset one reads as off. Not for changes: see {@link
   * #placementToChange}.
   */
  public PlacementPolicy placement() {
    return placement == null ? new PlacementPolicy() : placement;
  }

  /**
   * Its placement policy, to change under the row's lock. Only then is an unset one made part of
   * the row, so that reading a volume without a policy never changes it.
   */
  public PlacementPolicy placementToChange() {
    if (placement == null) {
      placement = new PlacementPolicy();
    }
    return placement;
  }

  public List<RealVolumeInfo> realVolumes() {
    return List.copyOf(realVolumes);
  }

  public RealVolumeInfo primary() {
    return realVolumes.stream()
        .filter(RealVolumeInfo::isPrimary)
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("virtual volume " + name + " has no primary"));
  }

  public Optional<RealVolumeInfo> realVolumeAt(String dataCenterName) {
    return realVolumes.stream()
        .filter(r -> r.dataCenter().name().equals(dataCenterName))
        .findFirst();
  }

  /** Storage control units may have moved past the directory's epoch (see the login). */
  public void catchUpEpoch(long storageEpoch) {
    epoch = Math.max(epoch, storageEpoch);
  }

  /**
   * Steps 806-807 of Fig. 8: the old primary's flag off, the new one's on, at the epoch the copy
   * volume group definition used.
   */
  public void switchPrimary(RealVolumeInfo newPrimary, long newEpoch, Instant at) {
    if (!realVolumes.contains(newPrimary)) {
      throw new IllegalArgumentException(newPrimary + " is not a real volume of " + name);
    }
    if (newEpoch <= epoch) {
      throw new IllegalArgumentException(
          "a switch moves the epoch forward: " + newEpoch + " after " + epoch);
    }
    realVolumes.forEach(r -> r.markPrimary(r == newPrimary));
    epoch = newEpoch;
    lastSwitchAt = at;
  }

  /** The copy volume group (Fig. 3) as the directory sees it now. */
  public CopyVolumeGroupInfo copyGroup() {
    return copyGroup(primary().dataCenter().name(), epoch);
  }

  /** The copy volume group with the given site's copy as primary, at the given epoch. */
  public CopyVolumeGroupInfo copyGroup(String primaryDataCenter, long atEpoch) {
    List<CopyGroupMember> members =
        realVolumes.stream()
            .map(
                r ->
                    new CopyGroupMember(
                        r.address(), r.dataCenter().name().equals(primaryDataCenter)))
            .toList();
    return new CopyVolumeGroupInfo(storageId, transferType, atEpoch, members, syncFailurePolicy());
  }

  public List<RealVolumeAddress> addresses() {
    return realVolumes.stream().map(RealVolumeInfo::address).toList();
  }
}
