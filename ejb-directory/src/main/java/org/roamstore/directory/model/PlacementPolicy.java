package org.roamstore.directory.model;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A volume's placement policy (issue 18): at most {@code maxCopies} copies, a copy added where the
 * volume's logins keep coming from, the one farthest from them dropped. Kept in the volume's row
 * (nullable columns, so the schema update adds them to existing rows; null mode is off) because a
 * login has that row locked already: reading the policy costs it nothing.
 *
 * <p>Besides the settings, the run of logins the stay rule needs: the data center the recent logins
 * were nearest to without a break, and since when. The recent logins themselves are {@link
 * PlacementLogin} rows.
 */
@Embeddable
public class PlacementPolicy {

  @Enumerated(EnumType.STRING)
  @Column(name = "placementMode", length = 16)
  private PlacementMode mode;

  @Column(name = "placementMaxCopies")
  private Integer maxCopies;

  @Column(name = "placementAddAfterLogins")
  private Integer addAfterLogins;

  @Column(name = "placementAddAfterStayMinutes")
  private Integer addAfterStayMinutes;

  /** The data center every login since {@link #staySince} was nearest to. */
  @Column(name = "placementStayAt", length = 64)
  private String stayAt;

  @Column(name = "placementStaySince")
  private Instant staySince;

  /** The last decision announced, so a dry run does not announce the same one at every login. */
  @Column(name = "placementLastDecision", length = 200)
  private String lastDecision;

  public PlacementPolicy() {}

  public PlacementMode mode() {
    return mode == null ? PlacementMode.OFF : mode;
  }

  public boolean isOff() {
    return mode() == PlacementMode.OFF;
  }

  public int maxCopies() {
    return maxCopies == null ? 0 : maxCopies;
  }

  public int addAfterLogins() {
    return addAfterLogins == null ? 0 : addAfterLogins;
  }

  public Optional<Duration> addAfterStay() {
    return Optional.ofNullable(addAfterStayMinutes).map(Duration::ofMinutes);
  }

  /**
   * New settings; the run of logins is kept (where users are does not change with the settings),
   * the last decision forgotten so that the new settings' first decision is announced.
   */
  public void set(
      PlacementMode mode, Integer maxCopies, Integer addAfterLogins, Integer addAfterStayMinutes) {
    this.mode = mode == PlacementMode.OFF ? null : mode;
    this.maxCopies = maxCopies;
    this.addAfterLogins = addAfterLogins;
    this.addAfterStayMinutes = addAfterStayMinutes;
    this.lastDecision = null;
  }

  public Optional<String> stayAt() {
    return Optional.ofNullable(stayAt);
  }

  public Optional<Instant> staySince() {
    return Optional.ofNullable(staySince);
  }

  /** A login nearest to {@code dataCenter}: the run goes on, or a new one starts. */
  public void loginNearest(String dataCenter, Instant at) {
    if (!dataCenter.equals(stayAt) || staySince == null) {
      stayAt = dataCenter;
      staySince = at;
    }
  }

  public Optional<String> lastDecision() {
    return Optional.ofNullable(lastDecision);
  }

  public void decided(String decision) {
    this.lastDecision = decision;
  }
}
