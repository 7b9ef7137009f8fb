package org.roamstore.storage.connector;

import jakarta.jms.ConnectionFactory;
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
  // batch (JFR of bench/remote-copy-bench.py); 64 MiB measured no better than 8.
  static final int PRODUCER_WINDOW_BYTES = 8 << 20;

  private BrokerConnections() {}

  static ConnectionFactory connectionFactory(String brokerUrl) {
    ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(brokerUrl);
    factory.setMinLargeMessageSize(MIN_LARGE_MESSAGE_BYTES);
    factory.setConsumerWindowSize(CONSUMER_WINDOW_BYTES);
    factory.setProducerWindowSize(PRODUCER_WINDOW_BYTES);
    return factory;
  }
}
