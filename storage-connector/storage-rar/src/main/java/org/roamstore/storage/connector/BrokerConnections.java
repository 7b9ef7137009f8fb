package org.roamstore.storage.connector;

import jakarta.jms.ConnectionFactory;
import java.io.IOException;
import java.io.Reader;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/**
 * The one place the adapter names a Jakarta Messaging implementation: remote copy gets a plain
 * {@link ConnectionFactory} of Artemis's client, built from the pool's {@code BrokerUrl}. The
 * adapter does not borrow the Artemis resource adapter's pooled, JTA-enlisted factory: remote copy
 * needs long-lived sessions with local transactions on its own threads, which is what a plain
 * client gives.
 */
final class BrokerConnections {
  // A batch of write data is up to 1 MiB: it must stay an ordinary message (not an Artemis "large
  // message" streamed through files), and a consumer may buffer a few of them.
  static final int MIN_LARGE_MESSAGE_BYTES = 4 << 20;
  static final int CONSUMER_WINDOW_BYTES = 8 << 20;
  // The default 64 KiB of producer credits made the send process wait for credits at every 1 MiB
  // batch (JFR of the remote copy bench); a larger window did not help (bench/RESULTS.md).
  static final int PRODUCER_WINDOW_BYTES = 8 << 20;

  private static final String USER = "user";
  private static final String PASSWORD = "password";
  private static final Set<PosixFilePermission> NOT_OWNER =
      EnumSet.complementOf(
          EnumSet.of(
              PosixFilePermission.OWNER_READ,
              PosixFilePermission.OWNER_WRITE,
              PosixFilePermission.OWNER_EXECUTE));

  private BrokerConnections() {}

  static ConnectionFactory connectionFactory(String brokerUrl) {
    return connectionFactory(brokerUrl, "");
  }

  /**
   * A factory that logs in as the user of {@code clientProperties} (an owner-only properties file;
   * empty for none) and takes its other keys as Artemis transport parameters (TLS). The secrets go
   * into the factory only: the URL the adapter logs stays the pool's {@code BrokerUrl}.
   */
  static ConnectionFactory connectionFactory(String brokerUrl, String clientProperties) {
    Properties client =
        clientProperties.isEmpty() ? new Properties() : load(Path.of(clientProperties));
    StringBuilder url = new StringBuilder(brokerUrl);
    for (String key : new TreeSet<>(client.stringPropertyNames())) {
      if (!key.equals(USER) && !key.equals(PASSWORD)) {
        url.append(url.indexOf("?") < 0 ? '?' : '&')
            .append(key)
            .append('=')
            .append(URLEncoder.encode(client.getProperty(key), StandardCharsets.UTF_8));
      }
    }
    ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(url.toString());
    factory.setUser(client.getProperty(USER));
    factory.setPassword(client.getProperty(PASSWORD));
    factory.setMinLargeMessageSize(MIN_LARGE_MESSAGE_BYTES);
    factory.setConsumerWindowSize(CONSUMER_WINDOW_BYTES);
    factory.setProducerWindowSize(PRODUCER_WINDOW_BYTES);
    return factory;
  }

  /** The client properties, refused (naming the file only) when others may read them. */
  static Properties load(Path file) {
    try {
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
      permissions.retainAll(NOT_OWNER);
      if (!permissions.isEmpty()) {
        throw new IllegalArgumentException(
            "BrokerClientProperties " + file + ": others may read it; chmod 600 " + file);
      }
      Properties properties = new Properties();
      try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        properties.load(reader);
      }
      return properties;
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "BrokerClientProperties " + file + ": cannot read it: " + e, e);
    }
  }
}
