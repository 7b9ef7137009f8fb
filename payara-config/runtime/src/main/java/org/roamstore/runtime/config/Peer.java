package org.roamstore.runtime.config;

/** Another data center's broker, as {@code --peer SITE=HOST:PORT} names it. */
public record Peer(String site, String host, int port) {

  static Peer parse(String value, Topology topology, String self) throws ConfigException {
    int eq = value.indexOf('=');
    int colon = value.lastIndexOf(':');
    if (eq <= 0 || colon < eq + 2 || colon == value.length() - 1) {
      throw new ConfigException("--peer " + value + ": not SITE=HOST:PORT");
    }
    String site = value.substring(0, eq);
    String host = value.substring(eq + 1, colon);
    if (!topology.hasStorageSystem(site)) {
      throw new ConfigException(
          "--peer "
              + value
              + ": the topology has no "
              + site
              + " ("
              + topology.storageSystems()
              + ")");
    }
    if (site.equals(self)) {
      throw new ConfigException("--peer " + value + ": that is this server's own site (--site)");
    }
    CommandFile.checkWord("--peer", host);
    try {
      int port = Integer.parseInt(value.substring(colon + 1));
      if (port >= 1 && port <= 65535) {
        return new Peer(site, host, port);
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new ConfigException("--peer " + value + ": the port must be a number 1-65535");
  }

  @Override
  public String toString() {
    return site + "=" + host + ":" + port;
  }
}
