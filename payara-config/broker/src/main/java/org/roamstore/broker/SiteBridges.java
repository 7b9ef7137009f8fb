package org.roamstore.broker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.TransportConfiguration;
import org.apache.activemq.artemis.core.config.BridgeConfiguration;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.remoting.impl.netty.NettyConnectorFactory;
import org.apache.activemq.artemis.core.remoting.impl.netty.TransportConstants;
import org.roamstore.storage.api.Destinations;

/**
 * Store and forward between site brokers: for every other site, the queues that carry messages to
 * it (write data, acknowledgements, control requests and replies named after that site) are kept
 * here, durable, and a core bridge moves their messages to that site's broker. While the other site
 * or the WAN between is down, its messages wait in this broker's journal; the bridge reconnects for
 * ever and detects duplicates, so a reconnect neither loses nor repeats a message.
 */
final class SiteBridges {
  /** A write data batch is up to about 1 MiB; a bridge must keep it an ordinary message. */
  private static final int MIN_LARGE_MESSAGE_BYTES = 4 << 20;

  /** Unconfirmed bytes a bridge keeps to resend after a reconnect. */
  private static final int CONFIRMATION_WINDOW_BYTES = 4 << 20;

  private SiteBridges() {}

  /**
   * Adds a connector, the forwarded queues and their bridges for each peer.
   *
   * @param peers site name to "host:port" of that site's broker
   * @param users this site's users, whose own name and password the bridges log in with at a peer;
   *     null when the brokers have no users
   * @param tls the site's certificate and the trusted CA for the bridges; null for plain TCP
   */
  static void configure(
      Configuration config,
      String site,
      Map<String, String> peers,
      BrokerUsers users,
      BrokerTls tls) {
    List<BridgeConfiguration> bridges = new ArrayList<>(config.getBridgeConfigurations());
    for (Map.Entry<String, String> peer : peers.entrySet()) {
      String name = peer.getKey();
      if (name.equals(site)) {
        throw new IllegalArgumentException("site " + site + " cannot be its own peer");
      }
      String connector = "site-" + name;
      config.addConnectorConfiguration(connector, connector(peer.getValue(), tls));
      for (String prefix : Destinations.SITE_PREFIXES) {
        String queue = prefix + name;
        config.addQueueConfiguration(
            QueueConfiguration.of(queue)
                .setAddress(queue)
                .setRoutingType(RoutingType.ANYCAST)
                .setDurable(true));
        BridgeConfiguration bridge =
            new BridgeConfiguration()
                .setName("to-" + queue)
                .setQueueName(queue)
                .setForwardingAddress(queue)
                .setStaticConnectors(List.of(connector))
                .setReconnectAttempts(-1)
                .setRetryInterval(500)
                .setRetryIntervalMultiplier(2.0)
                .setMaxRetryInterval(5_000)
                .setUseDuplicateDetection(true)
                .setConfirmationWindowSize(CONFIRMATION_WINDOW_BYTES)
                .setMinLargeMessageSize(MIN_LARGE_MESSAGE_BYTES);
        if (users != null) {
          bridge.setUser(users.bridgeUser()).setPassword(users.bridgePassword());
        }
        bridges.add(bridge);
      }
    }
    config.setBridgeConfigurations(bridges);
  }

  private static TransportConfiguration connector(String hostPort, BrokerTls tls) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostPort.length() - 1) {
      throw new IllegalArgumentException("a peer broker is host:port, got " + hostPort);
    }
    Map<String, Object> parameters = new HashMap<>();
    parameters.put(TransportConstants.HOST_PROP_NAME, hostPort.substring(0, colon));
    parameters.put(
        TransportConstants.PORT_PROP_NAME, Integer.parseInt(hostPort.substring(colon + 1)));
    if (tls != null) {
      parameters.putAll(tls.connectorParameters());
    }
    return new TransportConfiguration(NettyConnectorFactory.class.getName(), parameters);
  }
}
