package org.roamstore.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.activemq.artemis.api.core.ActiveMQException;
import org.apache.activemq.artemis.api.core.ActiveMQSecurityException;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientMessage;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.roamstore.storage.api.Destinations;

/**
 * A site's broker with its users and TLS, probed through real clients: Artemis's core client and an
 * AMQP 1.0 client (Debian's python3-qpid-proton). Strangers (nobody, a wrong password, an unknown
 * user, an integrating system, a peer site off its own inbound queues) neither read nor send a
 * remote copy or control message, and what they tried changes nothing; a client without a
 * certificate of the trusted CA does not get in at all; bridges between two sites deliver over
 * mutual TLS with their site's user.
 */
class BrokerSecurityTest {
  private static final String SEATTLE = "seattle";
  private static final String PORTLAND = "portland";
  // Seattle's write data: read from its subscription's queue, sent to the address.
  private static final String DATA_QUEUE =
      "roamstore-replication-data-seattle"; // Destinations.subscription(REPLICATION_DATA, seattle)
  private static final String DATA_ADDRESS = Destinations.REPLICATION_DATA;
  private static final String CONTROL_QUEUE = "roamstore.control.requests.seattle";
  private static final String THIRD_SITE_QUEUE = "roamstore.replication.acks.sanfrancisco";
  private static final Path AMQP_CLIENT = Path.of("src/test/python/amqp_stranger.py");

  private Path dir;
  private TestCertificates certificates;
  private Path secrets;
  private final List<SiteBroker> brokers = new ArrayList<>();

  @BeforeEach
  void certificatesAndPasswords() throws Exception {
    dir =
        Files.createTempDirectory(
            Files.createDirectories(Path.of("target/tmp").toAbsolutePath()), "security");
    certificates = new TestCertificates(Files.createDirectories(dir.resolve("tls")));
    secrets = dir.resolve("secrets");
    password("sites/" + SEATTLE, "seattle-secret");
    password("sites/" + PORTLAND, "portland-secret");
    password("sites/sanfrancisco", "sanfrancisco-secret");
    password("integrations/billing", "billing-secret");
  }

  @AfterEach
  void stopBrokers() throws Exception {
    for (SiteBroker broker : brokers) {
      broker.close();
    }
  }

  @Test
  void strangersWithACoreClientNeitherReadNorSendRemoteCopyOrControl() throws Exception {
    int port =
        seattleBroker(
            Map.of(PORTLAND, "127.0.0.1:" + freePort(), "sanfrancisco", "127.0.0.1:" + freePort()));
    Path siteTls = certificates.site(SEATTLE);
    Path billingTls = certificates.client("billing", "ca");
    putTheSitesOwnMessages(port, siteTls);

    for (String[] login :
        List.of(
            new String[] {null, null},
            new String[] {SEATTLE, "wrong-password"},
            new String[] {"mallory", "seattle-secret"},
            new String[] {"ACTIVEMQ.CLUSTER.ADMIN.USER", "CHANGE ME!!"})) {
      try (ServerLocator locator = locator(port, billingTls);
          ClientSessionFactory factory = locator.createSessionFactory()) {
        ActiveMQSecurityException refused =
            assertThrows(
                ActiveMQSecurityException.class,
                () -> session(factory, login[0], login[1]).close(),
                "user " + login[0] + " is refused");
        assertTrue(refused.getMessage().contains("Unable to validate user"), refused.getMessage());
      }
    }

    try (ServerLocator locator = locator(port, billingTls);
        ClientSessionFactory factory = locator.createSessionFactory()) {
      for (String queue : List.of(DATA_QUEUE, CONTROL_QUEUE, THIRD_SITE_QUEUE)) {
        assertRefusedToReadAndSend(factory, "billing", "billing-secret", queue);
      }
      // The same integrating system does reach what it is for: nothing above refused it by
      // accident.
      try (ClientSession session = session(factory, "billing", "billing-secret")) {
        session.createProducer(Destinations.DIRECTORY_REQUESTS).send(session.createMessage(true));
      }
    }

    // A peer site delivers to this site's inbound queues only; it reads none and cannot relay.
    Path portlandTls = certificates.site(PORTLAND);
    try (ServerLocator locator = locator(port, portlandTls);
        ClientSessionFactory factory = locator.createSessionFactory()) {
      try (ClientSession session = session(factory, PORTLAND, "portland-secret")) {
        assertThrows(ActiveMQSecurityException.class, () -> session.createConsumer(DATA_QUEUE));
        assertThrows(ActiveMQSecurityException.class, () -> session.createConsumer(CONTROL_QUEUE));
      }
      try (ClientSession session = session(factory, PORTLAND, "portland-secret")) {
        assertThrows(
            ActiveMQSecurityException.class,
            () -> session.createProducer(THIRD_SITE_QUEUE).send(session.createMessage(true)));
      }
    }

    assertOnlyTheSitesOwnMessages(port, siteTls);
  }

  @Test
  void strangersWithAnAmqpClientNeitherReadNorSendRemoteCopyOrControl() throws Exception {
    int port = seattleBroker(Map.of(PORTLAND, "127.0.0.1:" + freePort()));
    Path siteTls = certificates.site(SEATTLE);
    certificates.client("billing", "ca");
    putTheSitesOwnMessages(port, siteTls);

    for (String queue : List.of(DATA_QUEUE, CONTROL_QUEUE)) {
      for (String action : List.of("receive", "send")) {
        for (List<String> login :
            List.of(
                List.<String>of(),
                List.of("--user", SEATTLE, "--password", "wrong-password"),
                List.of("--user", "mallory", "--password", "seattle-secret"),
                List.of("--user", "billing", "--password", "billing-secret"))) {
          String output =
              amqp(port, "billing", action, action.equals("send") ? sendTo(queue) : queue, login);
          // Refused by the broker, not by a TLS mistake of the test: the certificate is a good one.
          assertTrue(
              output.startsWith("REFUSED") && !output.contains("SSL Failure"),
              action + " " + queue + " as " + login + ": " + output);
        }
      }
    }
    // The integrating system's own queue takes its requests over AMQP.
    String allowed =
        amqp(
            port,
            "billing",
            "send",
            Destinations.DIRECTORY_REQUESTS,
            List.of("--user", "billing", "--password", "billing-secret"));
    assertTrue(allowed.startsWith("OK"), allowed);
    // Without a certificate of the trusted CA, not even the right password gets in.
    String noCertificate =
        amqp(
            port,
            null,
            "send",
            Destinations.DIRECTORY_REQUESTS,
            List.of("--user", "billing", "--password", "billing-secret"));
    assertTrue(noCertificate.startsWith("REFUSED"), noCertificate);

    assertOnlyTheSitesOwnMessages(port, siteTls);
  }

  @Test
  void aClientWithoutATrustedCertificateIsRefused() throws Exception {
    int port = seattleBroker(Map.of());
    Path rogue = certificates.client("rogue", "rogue-ca");
    Path noKey = dir.resolve("no-key.properties");
    Properties trustOnly = load(certificates.client("billing", "ca"));
    trustOnly.remove("keyStorePath");
    trustOnly.remove("keyStorePassword");
    try (var out = Files.newOutputStream(noKey)) {
      trustOnly.store(out, null);
    }
    for (Path tls : List.of(rogue, noKey)) {
      try (ServerLocator locator = locator(port, tls)) {
        locator.setReconnectAttempts(0).setInitialConnectAttempts(1).setCallTimeout(5_000);
        assertThrows(ActiveMQException.class, locator::createSessionFactory, "refused with " + tls);
      }
    }
    try (ServerLocator plain = ActiveMQClient.createServerLocator("tcp://127.0.0.1:" + port)) {
      plain.setReconnectAttempts(0).setInitialConnectAttempts(1).setCallTimeout(5_000);
      assertThrows(ActiveMQException.class, plain::createSessionFactory, "plain TCP is refused");
    }
  }

  @Test
  void bridgesDeliverOverMutualTlsAsTheirSite() throws Exception {
    int seattlePort = freePort();
    int portlandPort = freePort();
    brokers.add(
        SiteBroker.start(
            dir.resolve("broker-seattle"),
            "127.0.0.1",
            seattlePort,
            SEATTLE,
            Map.of(PORTLAND, "localhost:" + portlandPort),
            BrokerUsers.load(secrets, SEATTLE, List.of(PORTLAND)),
            BrokerTls.load(certificates.site(SEATTLE))));
    Path portlandTls = certificates.site(PORTLAND);
    portlandBroker(portlandPort, seattlePort);
    String queue = "roamstore.replication.acks.portland";
    try (ServerLocator locator = locator(portlandPort, portlandTls);
        ClientSessionFactory factory = locator.createSessionFactory();
        ClientSession session = session(factory, PORTLAND, "portland-secret")) {
      // Portland's storage connector makes its inbound queue as it starts consuming.
      session.createQueue(
          QueueConfiguration.of(queue).setRoutingType(RoutingType.ANYCAST).setDurable(true));
      try (ServerLocator seattle = locator(seattlePort, certificates.site(SEATTLE));
          ClientSessionFactory seattleFactory = seattle.createSessionFactory();
          ClientSession seattleSession = session(seattleFactory, SEATTLE, "seattle-secret")) {
        ClientMessage message = seattleSession.createMessage(true);
        message.getBodyBuffer().writeString("from seattle");
        seattleSession.createProducer(queue).send(message);
      }
      session.start();
      ClientMessage received = session.createConsumer(queue).receive(30_000);
      assertNotNull(received, "the bridge delivered over TLS");
      assertEquals("from seattle", received.getBodyBuffer().readString());
    }
  }

  /**
   * Seattle runs alone; Portland starts later with Seattle as its peer, and Seattle learns Portland
   * from the secrets directory they share (its password and the address Portland's broker wrote),
   * without a restart: both ways then deliver over mutual TLS, control and write data alike. A peer
   * file without a password beside it, or that others may read, adds nobody.
   */
  @Test
  void aSiteThatJoinsLaterIsBridgedToOnceItsFilesAreThere() throws Exception {
    Path stranger = PeerWatch.peerFile(secrets, "stranger");
    Files.writeString(stranger, "127.0.0.1:1\n");
    Files.setPosixFilePermissions(stranger, PosixFilePermissions.fromString("rw-------"));
    Path loose = PeerWatch.peerFile(secrets, "sanfrancisco");
    Files.writeString(loose, "127.0.0.1:1\n");
    Files.setPosixFilePermissions(loose, PosixFilePermissions.fromString("rw-r--r--"));
    int seattlePort = freePort();
    BrokerUsers seattleUsers = BrokerUsers.load(secrets, SEATTLE, List.of());
    brokers.add(
        SiteBroker.start(
            dir.resolve("broker-seattle"),
            "127.0.0.1",
            seattlePort,
            SEATTLE,
            Map.of(),
            seattleUsers,
            BrokerTls.load(certificates.site(SEATTLE))));
    assertEquals(
        "127.0.0.1:" + seattlePort + "\n",
        Files.readString(PeerWatch.peerFile(secrets, SEATTLE)),
        "a site's broker says where it is");

    int portlandPort = freePort();
    Path portlandTls = certificates.site(PORTLAND);
    portlandBroker(portlandPort, seattlePort);
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!seattleUsers.peers().contains(PORTLAND) && System.nanoTime() < until) {
      Thread.sleep(100);
    }
    assertEquals(java.util.Set.of(PORTLAND), seattleUsers.peers(), "only the site with both files");

    String control = "roamstore.control.requests.portland";
    try (ServerLocator seattle = locator(seattlePort, certificates.site(SEATTLE));
        ClientSessionFactory factory = seattle.createSessionFactory();
        ClientSession session = session(factory, SEATTLE, "seattle-secret")) {
      // Seattle's server makes its reply queue as it starts.
      session.createQueue(
          QueueConfiguration.of("roamstore.control.replies.seattle")
              .setRoutingType(RoutingType.ANYCAST)
              .setDurable(true));
      ClientMessage request = session.createMessage(true);
      request.getBodyBuffer().writeString("control for portland");
      session.createProducer(control).send(request);
      ClientMessage data = session.createMessage(true);
      data.getBodyBuffer().writeString("write data for portland");
      data.putStringProperty(Destinations.ROUTE, Destinations.route(PORTLAND, "1:1"));
      session.createProducer(DATA_ADDRESS).send(data);
    }
    try (ServerLocator portland = locator(portlandPort, portlandTls);
        ClientSessionFactory factory = portland.createSessionFactory();
        ClientSession session = session(factory, PORTLAND, "portland-secret")) {
      session.createQueue(
          QueueConfiguration.of(control).setRoutingType(RoutingType.ANYCAST).setDurable(true));
      ClientMessage toSeattle = session.createMessage(true);
      toSeattle.getBodyBuffer().writeString("reply for seattle");
      session.createProducer("roamstore.control.replies.seattle").send(toSeattle);
      session.start();
      ClientMessage request = session.createConsumer(control).receive(30_000);
      assertNotNull(request, "Seattle's control request crossed the new bridge");
      assertEquals("control for portland", request.getBodyBuffer().readString());
      ClientMessage data =
          session.createConsumer("roamstore-replication-data-portland").receive(30_000);
      assertNotNull(data, "Seattle's write data crossed the new bridge");
      assertEquals("write data for portland", data.getBodyBuffer().readString());
    }
    try (ServerLocator seattle = locator(seattlePort, certificates.site(SEATTLE));
        ClientSessionFactory factory = seattle.createSessionFactory();
        ClientSession session = session(factory, SEATTLE, "seattle-secret")) {
      session.start();
      ClientMessage reply =
          session.createConsumer("roamstore.control.replies.seattle").receive(30_000);
      assertNotNull(reply, "Portland's bridge logs in to Seattle now");
      assertEquals("reply for seattle", reply.getBodyBuffer().readString());
    }
  }

  @Test
  void aPasswordFileOthersMayReadIsRefusedAtStart() throws Exception {
    Path file = BrokerUsers.sitePassword(secrets, PORTLAND);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class,
            () -> BrokerUsers.load(secrets, SEATTLE, List.of(PORTLAND)));
    assertTrue(refused.getMessage().contains("chmod 600"), refused.getMessage());
    assertTrue(
        !refused.getMessage().contains("portland-secret"), "the message never holds the secret");
  }

  // --- helpers -------------------------------------------------------------------------------

  /** Portland's broker, with Seattle's as its peer. */
  private void portlandBroker(int port, int seattlePort) throws Exception {
    brokers.add(
        SiteBroker.start(
            dir.resolve("broker-portland"),
            "127.0.0.1",
            port,
            PORTLAND,
            Map.of(SEATTLE, "127.0.0.1:" + seattlePort),
            BrokerUsers.load(secrets, PORTLAND, List.of(SEATTLE)),
            BrokerTls.load(certificates.site(PORTLAND))));
  }

  private int seattleBroker(Map<String, String> peers) throws Exception {
    int port = freePort();
    brokers.add(
        SiteBroker.start(
            dir.resolve("broker-seattle"),
            "127.0.0.1",
            port,
            SEATTLE,
            peers,
            BrokerUsers.load(secrets, SEATTLE, peers.keySet()),
            BrokerTls.load(certificates.site(SEATTLE))));
    return port;
  }

  private void assertRefusedToReadAndSend(
      ClientSessionFactory factory, String user, String password, String queue) throws Exception {
    try (ClientSession session = session(factory, user, password)) {
      assertThrows(
          ActiveMQSecurityException.class, () -> session.createConsumer(queue), "read " + queue);
    }
    try (ClientSession session = session(factory, user, password)) {
      assertThrows(
          ActiveMQSecurityException.class,
          () -> session.createProducer(sendTo(queue)).send(session.createMessage(true)),
          "send to " + sendTo(queue));
    }
  }

  /** The site's server puts one message of its own in each inbound queue. */
  private void putTheSitesOwnMessages(int port, Path siteTls) throws Exception {
    try (ServerLocator server = locator(port, siteTls);
        ClientSessionFactory factory = server.createSessionFactory();
        ClientSession session = session(factory, SEATTLE, "seattle-secret")) {
      session.createQueue(QueueConfiguration.of(CONTROL_QUEUE).setRoutingType(RoutingType.ANYCAST));
      for (String queue : List.of(DATA_QUEUE, CONTROL_QUEUE)) {
        ClientMessage message = session.createMessage(true);
        message.getBodyBuffer().writeString("the site's own " + queue);
        message.putStringProperty(Destinations.ROUTE, Destinations.route(SEATTLE, "1:1"));
        session.createProducer(sendTo(queue)).send(message);
      }
    }
  }

  /** Each inbound queue holds exactly the one message the site's server put there. */
  private void assertOnlyTheSitesOwnMessages(int port, Path siteTls) throws Exception {
    try (ServerLocator server = locator(port, siteTls);
        ClientSessionFactory factory = server.createSessionFactory();
        ClientSession session = session(factory, SEATTLE, "seattle-secret")) {
      session.start();
      for (String queue : List.of(DATA_QUEUE, CONTROL_QUEUE)) {
        var consumer = session.createConsumer(queue);
        ClientMessage first = consumer.receive(5_000);
        assertNotNull(first, queue);
        assertEquals("the site's own " + queue, first.getBodyBuffer().readString());
        first.acknowledge();
        assertNull(consumer.receiveImmediate(), "nothing else reached " + queue);
        consumer.close();
      }
    }
  }

  /** Where a client sends what {@code queue} is to hold. */
  private static String sendTo(String queue) {
    return queue.equals(DATA_QUEUE) ? DATA_ADDRESS : queue;
  }

  private static ClientSession session(ClientSessionFactory factory, String user, String password)
      throws ActiveMQException {
    return factory.createSession(user, password, false, true, true, false, 0);
  }

  private static ServerLocator locator(int port, Path tlsProperties) throws Exception {
    StringBuilder url =
        new StringBuilder("tcp://127.0.0.1:" + port + "?sslEnabled=true&verifyHost=true");
    Properties tls = load(tlsProperties);
    for (String key : tls.stringPropertyNames()) {
      url.append('&')
          .append(key)
          .append('=')
          .append(URLEncoder.encode(tls.getProperty(key), StandardCharsets.UTF_8));
    }
    return ActiveMQClient.createServerLocator(url.toString());
  }

  private static Properties load(Path file) throws IOException {
    Properties properties = new Properties();
    try (var in = Files.newInputStream(file)) {
      properties.load(in);
    }
    return properties;
  }

  private String amqp(
      int port, String certificate, String action, String address, List<String> login)
      throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                "/usr/bin/python3",
                AMQP_CLIENT.toString(),
                "--url",
                "amqps://localhost:" + port,
                "--ca",
                certificates.pem("ca", "cert.pem").toString(),
                "--action",
                action,
                "--address",
                address));
    if (certificate != null) {
      command.addAll(
          List.of(
              "--cert",
              certificates.pem(certificate, "cert.pem").toString(),
              "--key",
              certificates.pem(certificate, "key.pem").toString()));
    }
    command.addAll(login);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the AMQP client ended");
    return output;
  }

  private void password(String name, String password) throws IOException {
    Path file = secrets.resolve(name + ".password");
    Files.createDirectories(file.getParent());
    Files.writeString(file, password + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
