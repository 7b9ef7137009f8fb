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
import org.apache.activemq.artemis.core.config.TransformerConfiguration;
import org.apache.activemq.artemis.core.remoting.impl.netty.NettyConnectorFactory;
import org.apache.activemq.artemis.core.remoting.impl.netty.TransportConstants;
import org.apache.activemq.artemis.utils.DestinationUtil;
import org.apache.activemq.artemis.utils.SelectorTranslator;
import org.roamstore.storage.api.Destinations;

/**
 * Store and forward between site brokers: for every other site, the queues that carry messages to
 * it (write data, acknowledgements, control requests and replies named after that site) are kept
 * here, durable, and a core bridge moves their messages to that site's broker. While the other site
 * or the WAN between is down, its messages wait in this broker's journal; the bridge reconnects for
 * ever and detects duplicates, so a reconnect neither loses nor repeats a message.
 *
 * <p>Write data is sent once to a multicast address for all the secondaries of a batch (see {@link
 * Destinations#REPLICATION_DATA}): here, the queue that holds a peer's write data is that peer's
 * durable subscription to the address (the one its storage control unit would create, so that the
 * sender finds it), stored once however many peers a batch is for; the bridge forwards to the same
 * address at the peer's broker, naming that peer alone (see {@link PeerRoute}), where its own
 * subscription takes it. This site's own subscriptions are made here too, so that nothing forwarded
 * to it is dropped before its unit first subscribed.
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
      Routes routes = routes(site, peer.getKey(), peer.getValue(), users, tls);
      config.addConnectorConfiguration(routes.connector(), routes.transport());
      routes.queues().forEach(config::addQueueConfiguration);
      bridges.addAll(routes.bridges());
    }
    ownSubscriptions(site).forEach(config::addQueueConfiguration);
    config.setBridgeConfigurations(bridges);
  }

  /**
   * What one peer takes, as {@link #configure} adds it at start: a connector to its broker, the
   * queues of its messages here, and a bridge from each.
   */
  record Routes(
      String connector,
      TransportConfiguration transport,
      List<QueueConfiguration> queues,
      List<BridgeConfiguration> bridges) {}

  /**
   * The routes to {@code peer}, whose broker is at {@code hostPort}.
   *
   * @param users this site's users, whose own name and password the bridges log in with at a peer;
   *     null when the brokers have no users
   * @param tls the site's certificate and the trusted CA for the bridges; null for plain TCP
   */
  static Routes routes(
      String site, String peer, String hostPort, BrokerUsers users, BrokerTls tls) {
    if (peer.equals(site)) {
      throw new IllegalArgumentException("site " + site + " cannot be its own peer");
    }
    String connector = "site-" + peer;
    List<QueueConfiguration> queues = new ArrayList<>();
    List<BridgeConfiguration> bridges = new ArrayList<>();
    for (String prefix : Destinations.SITE_PREFIXES) {
      String queue = prefix + peer;
      queues.add(
          QueueConfiguration.of(queue)
              .setAddress(queue)
              .setRoutingType(RoutingType.ANYCAST)
              .setDurable(true));
      bridges.add(bridge(queue, queue, connector, users));
    }
    for (String address : Destinations.WRITE_DATA_ADDRESSES) {
      QueueConfiguration subscription = subscription(address, peer);
      queues.add(subscription);
      bridges.add(
          bridge(subscription.getName().toString(), address, connector, users)
              .setTransformerConfiguration(
                  new TransformerConfiguration(PeerRoute.class.getName())
                      .setProperties(Map.of(PeerRoute.SITE, peer))));
    }
    return new Routes(connector, connector(hostPort, tls), queues, bridges);
  }

  /** This site's own subscriptions, so that nothing forwarded to it is dropped before its unit. */
  static List<QueueConfiguration> ownSubscriptions(String site) {
    return Destinations.WRITE_DATA_ADDRESSES.stream().map(a -> subscription(a, site)).toList();
  }

  private static BridgeConfiguration bridge(
      String queue, String forwardingAddress, String connector, BrokerUsers users) {
    BridgeConfiguration bridge =
        new BridgeConfiguration()
            .setName("to-" + queue)
            .setQueueName(queue)
            .setForwardingAddress(forwardingAddress)
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
    return bridge;
  }

  /**
   * {@code site}'s durable subscription to {@code address}, as its storage control unit subscribes
   * (the same queue name and filter, which the Jakarta Messaging client derives from the
   * subscription's name and selector).
   */
  static QueueConfiguration subscription(String address, String site) {
    String queue =
        DestinationUtil.createQueueNameForSubscription(
                true, null, Destinations.subscription(address, site))
            .toString();
    return QueueConfiguration.of(queue)
        .setAddress(address)
        .setRoutingType(RoutingType.MULTICAST)
        .setFilterString(
            SelectorTranslator.convertToActiveMQFilterString(Destinations.routeSelector(site)))
        .setDurable(true);
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
