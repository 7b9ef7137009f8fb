package org.roamstore.directory.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import java.time.Instant;
import java.util.UUID;

/**
 * The identity of one Roamstore directory, made at its first start and kept for its lifetime: two
 * starts on the same data directory report the same installation.
 */
@Entity
public class Installation {
  public static final String THE_ONE = "directory";

  @Id private String id = THE_ONE;

  @Column(nullable = false, unique = true)
  private String installationId;

  @Column(nullable = false)
  private Instant createdAt;

  protected Installation() {}

  public static Installation createNow() {
    Installation installation = new Installation();
    installation.installationId = UUID.randomUUID().toString();
    installation.createdAt = Instant.now();
    return installation;
  }

  public String installationId() {
    return installationId;
  }

  public Instant createdAt() {
    return createdAt;
  }
}
