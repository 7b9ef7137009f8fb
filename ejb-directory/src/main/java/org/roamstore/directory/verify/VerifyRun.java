package org.roamstore.directory.verify;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;
import java.io.StringReader;
import java.time.Instant;
import java.util.List;

/**
 * An online verify the directory started and has not yet announced as finished. The row exists from
 * the transaction that announced {@code VERIFY_STARTED} to the one that announces {@code
 * VERIFY_FINISHED}, so each is announced once it committed, also across a restart; one per volume
 * at a time.
 */
@Entity
@Table(uniqueConstraints = @UniqueConstraint(columnNames = "volumeName"))
@NamedQuery(name = VerifyRun.ALL, query = "select r from VerifyRun r order by r.startedAt, r.id")
@NamedQuery(
    name = VerifyRun.FOR_VOLUME,
    query = "select r from VerifyRun r where r.volumeName = :volume")
@NamedQuery(name = VerifyRun.BY_ID, query = "select r from VerifyRun r where r.id = :id")
public class VerifyRun {
  static final String ALL = "VerifyRun.all";
  static final String FOR_VOLUME = "VerifyRun.forVolume";
  static final String BY_ID = "VerifyRun.byId";

  @Id
  @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "VerifyRun_SEQ")
  @SequenceGenerator(name = "VerifyRun_SEQ", allocationSize = 10)
  private Long id;

  @Column(nullable = false, length = 64)
  private String volumeName;

  @Column(nullable = false)
  private long epoch;

  @Column(nullable = false, length = 64)
  private String primaryDataCenter;

  @Column(nullable = false, length = 128)
  private String primaryStorageSystem;

  @Column(nullable = false, length = 128)
  private String volumeId;

  @Column(nullable = false, length = 64)
  private String requestedBy;

  @Column(nullable = false)
  private boolean repair;

  @Column(nullable = false)
  private int rateMiBPerSecond;

  @Column(nullable = false)
  private Instant startedAt;

  /** The last time the primary's storage answered about it. */
  @Column(nullable = false)
  private Instant answeredAt;

  /** The followed secondaries, as a JSON array of {dataCenter, storageSystem, startedAt}. */
  @Column(nullable = false, length = 4000)
  private String followed;

  protected VerifyRun() {}

  VerifyRun(
      OnlineVerify.Group group,
      String requestedBy,
      VerifyOptions options,
      List<OnlineVerify.Followed> followed,
      Instant now) {
    this.volumeName = group.volume();
    this.epoch = group.epoch();
    this.primaryDataCenter = group.primary();
    this.primaryStorageSystem = group.primaryStorageSystem();
    this.volumeId = group.volumeId();
    this.requestedBy = requestedBy;
    this.repair = options.repairOrDefault();
    this.rateMiBPerSecond = options.rateOrDefault();
    this.startedAt = now;
    this.answeredAt = now;
    this.followed = encode(followed);
  }

  static String encode(List<OnlineVerify.Followed> followed) {
    JsonArrayBuilder list = Json.createArrayBuilder();
    for (OnlineVerify.Followed f : followed) {
      list.add(
          Json.createObjectBuilder()
              .add("dataCenter", f.dataCenter())
              .add("storageSystem", f.storageSystem())
              .add("startedAt", f.startedAt().toString()));
    }
    return list.build().toString();
  }

  static List<OnlineVerify.Followed> decode(String json) {
    try (JsonReader reader = Json.createReader(new StringReader(json))) {
      return reader.readArray().stream()
          .map(JsonValue::asJsonObject)
          .map(
              (JsonObject o) ->
                  new OnlineVerify.Followed(
                      o.getString("dataCenter"),
                      o.getString("storageSystem"),
                      Instant.parse(o.getString("startedAt"))))
          .toList();
    }
  }

  public Long id() {
    return id;
  }

  public String volumeName() {
    return volumeName;
  }

  public long epoch() {
    return epoch;
  }

  public String primaryDataCenter() {
    return primaryDataCenter;
  }

  public String primaryStorageSystem() {
    return primaryStorageSystem;
  }

  public String volumeId() {
    return volumeId;
  }

  public String requestedBy() {
    return requestedBy;
  }

  public boolean repair() {
    return repair;
  }

  public int rateMiBPerSecond() {
    return rateMiBPerSecond;
  }

  public Instant startedAt() {
    return startedAt;
  }

  public Instant answeredAt() {
    return answeredAt;
  }

  void answered(Instant at) {
    answeredAt = at;
  }

  public List<OnlineVerify.Followed> followed() {
    return decode(followed);
  }
}
