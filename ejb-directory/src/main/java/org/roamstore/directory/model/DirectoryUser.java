package org.roamstore.directory.model;

import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;

/**
 * A person who logs in (user 107). Only a password hash is kept (Jakarta Security's PBKDF2 format,
 * which carries its own algorithm, iterations and salt, so the parameters can change later).
 */
@Entity
@Table(name = "RoamstoreUser") // USER is reserved in SQL
@NamedQuery(name = DirectoryUser.ALL, query = "select u from DirectoryUser u order by u.name")
public class DirectoryUser {
  public static final String ALL = "DirectoryUser.all";
  public static final String ADMIN = "admin";
  public static final String USER = "user";

  @Id private String name;

  @Column(nullable = false, length = 512)
  private String passwordHash;

  @ElementCollection(fetch = FetchType.EAGER)
  @CollectionTable(name = "RoamstoreUserRole", joinColumns = @JoinColumn(name = "userName"))
  @Column(name = "role", nullable = false)
  private Set<String> roles = new TreeSet<>();

  @Column(nullable = false)
  private Instant createdAt;

  protected DirectoryUser() {}

  public DirectoryUser(String name, String passwordHash, Set<String> roles) {
    this.name = name;
    this.passwordHash = passwordHash;
    this.roles = new TreeSet<>(roles);
    this.createdAt = Instant.now();
  }

  public String name() {
    return name;
  }

  public String passwordHash() {
    return passwordHash;
  }

  public Set<String> roles() {
    return Set.copyOf(roles);
  }

  public boolean isAdmin() {
    return roles.contains(ADMIN);
  }

  public Instant createdAt() {
    return createdAt;
  }
}
