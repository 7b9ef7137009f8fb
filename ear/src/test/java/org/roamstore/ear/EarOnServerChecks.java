package org.roamstore.ear;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.activemq.artemis.api.core.ActiveMQException;
import org.apache.activemq.artemis.api.core.ActiveMQSecurityException;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientConsumer;
import org.apache.activemq.artemis.api.core.client.ClientMessage;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What every full server must show with the EAR ({@link EarOnServer}): the EAR on the bare domain
 * is refused, naming what is missing (in the server's own words, {@link #refusal}); with the
 * rendered command file applied, the server logs in to a broker with users on (which refuses
 * strangers), a login over REST moves a primary and its event reaches the events topic, qemu-io
 * writes and reads through NBD, and the secondaries' volume files hold the data; no client of the
 * server is refused by the broker. One server per test class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class EarOnServerChecks {
  private EarOnServer server;

  /** Where the server is installed (unpacked by the build under target/). */
  abstract Path home();

  /** {@code render-server --server}'s name for it. */
  abstract String serverName();

  /** What the refused deployment on the bare domain must say. */
  abstract Pattern refusal();

  /** render-server's broker options beyond the defaults (users on, TLS off in one JVM). */
  List<String> brokerOptions() {
    return List.of();
  }

  @BeforeAll
  void startServerAndApplyTheCommandFile() throws Exception {
    server = EarOnServer.start(home(), serverName(), brokerOptions());
  }

  @AfterAll
  void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void theEarOnADomainWithoutItsResourcesIsRefusedNamingWhatIsMissing() {
    AsadminDomain.Result bareDeploy = server.bareDeploy();
    assertNotEquals(0, bareDeploy.exit(), bareDeploy.output());
    assertTrue(
        refusal().matcher(bareDeploy.output()).find(),
        "the error names the missing resource: " + bareDeploy.output());
  }

  /**
   * The broker the server logs in to lets nobody else in: a core client without a user, and one
   * with a user the broker does not know, are refused when they open a session (with TLS on, even
   * with a trusted certificate; and over plain TCP they do not get that far).
   */
  @Test
  void theBrokerRefusesAClientWithoutOrWithAnUnknownUser() throws Exception {
    if (server.brokerTls()) {
      try (ServerLocator plain = ActiveMQClient.createServerLocator(server.plainBrokerUrl())) {
        plain.setReconnectAttempts(0).setInitialConnectAttempts(1).setCallTimeout(10_000);
        assertThrows(ActiveMQException.class, plain::createSessionFactory);
      }
    }
    try (ServerLocator locator = ActiveMQClient.createServerLocator(server.brokerUrl());
        ClientSessionFactory factory = locator.createSessionFactory()) {
      ActiveMQSecurityException anonymous =
          assertThrows(ActiveMQSecurityException.class, factory::createSession);
      assertTrue(
          anonymous.getMessage().contains("Unable to validate user"), anonymous.getMessage());
      ActiveMQSecurityException stranger =
          assertThrows(
              ActiveMQSecurityException.class,
              () -> factory.createSession("stranger", "guessed", false, true, true, false, 0));
      assertTrue(
          stranger.getMessage().contains("Unable to validate user")
              && stranger.getMessage().contains("stranger"),
          stranger.getMessage());
    }
  }

  /** asadmin's output and the server's log name the broker user, never a password of the file. */
  @Test
  void theBrokerPasswordsAreInNoLog() throws Exception {
    for (Path log : server.logs()) {
      assertTrue(Files.size(log) > 0, log + " is empty");
      String text = Files.readString(log);
      for (String password : server.brokerPasswords()) {
        assertFalse(text.contains(password), log + " holds a password of the command file");
      }
    }
  }

  /**
   * The whole system, and every client inside the server (the adapter, the JMS pools with the
   * directory's events', the storage connector) logs in: the login's event reaches {@code
   * roamstore.events}, read as an integrating system reads it, and the server's log holds no
   * refusal of the broker (which names the user it was sent).
   */
  @Test
  void aLoginMovesThePrimaryAndNbdWritesReachASecondarysVolumeFile() throws Exception {
    DemoSystemCheck system = server.system();
    system.gatewayAnswers();
    try (ServerLocator locator = ActiveMQClient.createServerLocator(server.brokerUrl());
        ClientSessionFactory factory = locator.createSessionFactory();
        ClientSession session =
            factory.createSession(
                "integration", server.integrationPassword(), false, true, true, false, 0)) {
      String queue = "it.events." + UUID.randomUUID();
      session.createQueue(
          QueueConfiguration.of(queue)
              .setAddress("roamstore.events")
              .setRoutingType(RoutingType.MULTICAST)
              .setDurable(false)
              .setTemporary(true));
      ClientConsumer events = session.createConsumer(queue);
      session.start();

      system.aLoginMovesThePrimaryAndNbdWritesReachTheSecondaries();

      List<String> seen = new ArrayList<>();
      try {
        Awaitility.await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> {
                  ClientMessage message = events.receive(500);
                  if (message == null) {
                    return false;
                  }
                  String body = message.getBodyBuffer().readNullableSimpleString().toString();
                  seen.add(body);
                  JsonObject event = DemoSystemCheck.json(body);
                  return "LOGIN".equals(message.getStringProperty("type"))
                      && "alice-disk".equals(event.getString("volume", null))
                      && "portland".equals(event.getString("dataCenter", null));
                });
      } catch (ConditionTimeoutException e) {
        throw new AssertionError(
            "alice's login in Portland did not reach roamstore.events; seen: " + seen, e);
      }
    }
    Matcher refused = REFUSED.matcher(Files.readString(server.serverLog()));
    assertFalse(refused.find(), () -> "a client of the server was refused: " + refused.group());
  }

  private static final Pattern REFUSED =
      Pattern.compile("Unable to validate user from \\S+ Username: [^;\\s]*");
}
