package org.roamstore.directory.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * One recent login of a volume with a placement policy, as the policy sees it: the data center
 * nearest to the network interface it came through. Only the newest few per volume are kept (as
 * many as the policy counts), so the table stays small.
 */
@Entity
@Table(indexes = @Index(columnList = "virtualVolume"))
@NamedQuery(
    name = PlacementLogin.NEWEST_FIRST,
    query = "select l from PlacementLogin l where l.virtualVolume = :volume order by l.id desc")
@NamedQuery(
    name = PlacementLogin.DELETE_OLDER,
    query = "delete from PlacementLogin l where l.virtualVolume = :volume and l.id < :id")
@NamedQuery(
    name = PlacementLogin.DELETE_OF_VOLUME,
    query = "delete from PlacementLogin l where l.virtualVolume = :volume")
public class PlacementLogin {
  public static final String NEWEST_FIRST = "PlacementLogin.newestFirst";
  public static final String DELETE_OLDER = "PlacementLogin.deleteOlder";
  public static final String DELETE_OF_VOLUME = "PlacementLogin.deleteOfVolume";

  @Id @GeneratedValue private Long id;

  @ManyToOne(optional = false, fetch = FetchType.LAZY)
  @JoinColumn(name = "virtualVolume", nullable = false)
  private VirtualVolume virtualVolume;

  @Column(nullable = false, length = 64)
  private String networkInterface;

  @Column(nullable = false, length = 64)
  private String nearestDataCenter;

  @Column(nullable = false)
  private Instant at;

  protected PlacementLogin() {}

  public PlacementLogin(
      VirtualVolume virtualVolume, String networkInterface, String nearestDataCenter, Instant at) {
    this.virtualVolume = virtualVolume;
    this.networkInterface = networkInterface;
    this.nearestDataCenter = nearestDataCenter;
    this.at = at;
  }

  public Long id() {
    return id;
  }

  public String networkInterface() {
    return networkInterface;
  }

  public String nearestDataCenter() {
    return nearestDataCenter;
  }

  public Instant at() {
    return at;
  }
}
