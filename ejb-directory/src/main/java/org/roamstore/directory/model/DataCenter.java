package org.roamstore.directory.model;

import jakarta.persistence.Column;
import jakarta.persistence.Embedded;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Version;
import java.util.Optional;

/**
 * A data center (101): one storage system and the host server in front of it. The storage system
 * name is also the JNDI name suffix of its connection factory, {@code roamstore/storage/<name>}.
 */
@Entity
@NamedQuery(name = DataCenter.ALL, query = "select d from DataCenter d order by d.name")
public class DataCenter {
  public static final String ALL = "DataCenter.all";

  @Id private String name;

  @Column(nullable = false)
  private String displayName;

  @Embedded private Position position;

  @Column(nullable = false)
  private String hostServerAddress;

  @Column(nullable = false, unique = true)
  private String storageSystem;

  @Column(nullable = false)
  private boolean up = true;

  /** Why it is down; null while up, and on sites marked down before reasons were recorded. */
  @Enumerated(EnumType.STRING)
  @Column(length = 16)
  private DownReason downReason;

  @Version private long version;

  protected DataCenter() {}

  public DataCenter(
      String name,
      String displayName,
      Position position,
      String hostServerAddress,
      String storageSystem) {
    this.name = name;
    this.displayName = displayName;
    this.position = position;
    this.hostServerAddress = hostServerAddress;
    this.storageSystem = storageSystem;
  }

  public String name() {
    return name;
  }

  public String displayName() {
    return displayName;
  }

  public Position position() {
    return position;
  }

  public String hostServerAddress() {
    return hostServerAddress;
  }

  public String storageSystem() {
    return storageSystem;
  }

  public boolean isUp() {
    return up;
  }

  /** Why it is down; empty while up or when marked down before reasons were recorded. */
  public Optional<DownReason> downReason() {
    return up ? Optional.empty() : Optional.ofNullable(downReason);
  }

  public void markUp() {
    up = true;
    downReason = null;
  }

  public void markDown(DownReason reason) {
    up = false;
    downReason = reason;
  }
}
