package org.roamstore.broker;

import java.util.Map;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.core.server.transformer.Transformer;
import org.roamstore.storage.api.Destinations;

/**
 * What a bridge does to a write data batch it forwards to a peer's broker: its route names that
 * peer alone. A batch for two peers is stored once here and forwarded to each; at the first peer's
 * broker, a route that still named the second would put it in that broker's queue for the second as
 * well, which would then receive it twice. (The bridge forwards a copy; the batch in this broker is
 * unchanged.)
 */
public final class PeerRoute implements Transformer {
  /** The property naming the peer a bridge forwards to. */
  static final String SITE = "site";

  private String site;

  @Override
  public void init(Map<String, String> properties) {
    site = properties.get(SITE);
  }

  @Override
  public Message transform(Message message) {
    String entry = Destinations.routeEntry(message.getStringProperty(Destinations.ROUTE), site);
    if (entry != null) {
      message.putStringProperty(Destinations.ROUTE, Destinations.route(site, entry));
    }
    return message;
  }
}
