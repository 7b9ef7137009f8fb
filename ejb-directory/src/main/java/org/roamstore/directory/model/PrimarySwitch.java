package org.roamstore.directory.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import java.time.Instant;

/**
 * The record of one change of primary, kept so operators can see where a volume went and, for a
 * forced takeover, what was skipped and what may have been lost.
 */
@Entity
@NamedQuery(
    name = PrimarySwitch.FOR_VOLUME,
    query = "select s from PrimarySwitch s where s.volumeName = :volume order by s.id")
public class PrimarySwitch {
  public static final String FOR_VOLUME = "PrimarySwitch.forVolume";

  @Id @GeneratedValue private Long id;

  @Column(nullable = false)
  private String volumeName;

  @Column(nullable = false)
  private String fromDataCenter;

  @Column(nullable = false)
  private String toDataCenter;

  @Column(nullable = false)
  private long epoch;

  @Column(nullable = false)
  private String userName;

  @Column(nullable = false)
  private boolean forced;

  /** Members the switch could not reach (only a forced takeover leaves any), comma separated. */
  @Column(length = 1000)
  private String skippedMembers;

  /** What a forced takeover may have lost, in words (the sequence applied, when known). */
  @Column(length = 1000)
  private String possibleLoss;

  @Column(nullable = false)
  private Instant at;

  protected PrimarySwitch() {}

  public PrimarySwitch(
      String volumeName,
      String fromDataCenter,
      String toDataCenter,
      long epoch,
      String userName,
      boolean forced,
      String skippedMembers,
      String possibleLoss,
      Instant at) {
    this.volumeName = volumeName;
    this.fromDataCenter = fromDataCenter;
    this.toDataCenter = toDataCenter;
    this.epoch = epoch;
    this.userName = userName;
    this.forced = forced;
    this.skippedMembers = skippedMembers;
    this.possibleLoss = possibleLoss;
    this.at = at;
  }

  public String volumeName() {
    return volumeName;
  }

  public String fromDataCenter() {
    return fromDataCenter;
  }

  public String toDataCenter() {
    return toDataCenter;
  }

  public long epoch() {
    return epoch;
  }

  public String userName() {
    return userName;
  }

  public boolean isForced() {
    return forced;
  }

  public String skippedMembers() {
    return skippedMembers;
  }

  public String possibleLoss() {
    return possibleLoss;
  }

  public Instant at() {
    return at;
  }
}
