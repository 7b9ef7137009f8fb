package org.roamstore.directory.login;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonBuilderFactory;
import jakarta.json.JsonObjectBuilder;
import java.time.Duration;
import java.util.Map;
import org.roamstore.directory.events.DirectoryEvents;
import org.roamstore.directory.events.EventType;
import org.roamstore.directory.login.LoginPolicy.Decision;
import org.roamstore.directory.login.NetworkInterfaces.Via;
import org.roamstore.directory.model.DirectoryUser;
import org.roamstore.directory.model.RealVolumeInfo;
import org.roamstore.directory.model.VirtualVolume;
import org.roamstore.directory.switching.CompletedSwitch;

/** The events of a login (README lists their fields), published in the login's transaction. */
@ApplicationScoped
public class LoginEvents {
  /**
   * The events' JSON. {@code Json.createObjectBuilder()} looks the provider up again on every call,
   * through the web application's class loader (a scan of its jars), a large part of a login's CPU
   * with the login answer's JSON.
   */
  private static final JsonBuilderFactory JSON = Json.createBuilderFactory(Map.of());

  @Inject private DirectoryEvents events;

  /** A login: where it attached, where it landed, what it decided and why. */
  void login(
      VirtualVolume volume,
      DirectoryUser user,
      Via via,
      RealVolumeInfo at,
      Decision decision,
      long epoch,
      String previous) {
    JsonObjectBuilder event =
        DirectoryEvents.event(EventType.LOGIN)
            .add("user", user.name())
            .add("volume", volume.name())
            .add("networkInterface", via.name())
            .add("dataCenter", at.dataCenter().name())
            .add("epoch", epoch)
            .add("outcome", decision.outcome().name())
            .add("reason", decision.reason().name());
    if (previous != null) {
      event.add("previousPrimary", previous);
    }
    events.publish(event.build());
  }

  /** A primary moved: a planned switch or (forced) a takeover, with what may be lost. */
  void switched(
      VirtualVolume volume,
      DirectoryUser user,
      String previous,
      RealVolumeInfo target,
      CompletedSwitch done,
      boolean forced,
      String possibleLoss,
      int revoked,
      Duration took) {
    JsonObjectBuilder event =
        DirectoryEvents.event(forced ? EventType.FORCED_TAKEOVER : EventType.PRIMARY_SWITCHED)
            .add("volume", volume.name())
            .add("user", user.name())
            .add("from", previous)
            .add("to", target.dataCenter().name())
            .add("epoch", done.epoch())
            .add("revokedGrants", revoked)
            .add("switchMillis", took.toNanos() / 1_000_000.0);
    if (forced) {
      JsonObjectBuilder skipped = JSON.createObjectBuilder();
      done.skipped().forEach(skipped::add);
      event.add("skippedMembers", skipped).add("possibleLoss", possibleLoss);
    }
    events.publish(event.build());
  }
}
