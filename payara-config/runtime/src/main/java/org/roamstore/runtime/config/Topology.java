package org.roamstore.runtime.config;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the deployment needs of a topology file: its data centers, in the file's order, each with
 * the storage system (control unit) it holds. {@link #read} checks the whole file's shape as the
 * directory will load it, so that a mistake is reported with its line and field before anything
 * starts, rather than by a directory that fails at boot.
 */
public record Topology(Path file, List<DataCenter> dataCenters) {

  /** One data center and its storage system's name (pool, JNDI, queue and folder names use it). */
  public record DataCenter(String name, String storageSystem) {}

  /** Storage systems become pool names, JNDI names, queue names and folder names. */
  private static final Pattern STORAGE_SYSTEM = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

  public List<String> storageSystems() {
    return dataCenters.stream().map(DataCenter::storageSystem).toList();
  }

  public boolean hasStorageSystem(String name) {
    return storageSystems().contains(name);
  }

  public static Topology read(Path file) throws ConfigException {
    JsonNode root = JsonNode.read(file);
    return new Checker(file).topology(root);
  }

  /** Walks the tree once, naming each value by its path (dataCenters[1].storageSystem). */
  private static final class Checker {
    private final Path file;

    Checker(Path file) {
      this.file = file;
    }

    Topology topology(JsonNode root) throws ConfigException {
      Map<String, JsonNode> top = object(root, "the file");
      List<JsonNode> sites = array(top, root, "dataCenters", "");
      if (sites.isEmpty()) {
        throw error(top.get("dataCenters"), "dataCenters", "holds no data center");
      }
      List<DataCenter> dataCenters = new ArrayList<>();
      Set<String> names = new HashSet<>();
      Set<String> systems = new HashSet<>();
      for (int i = 0; i < sites.size(); i++) {
        String path = "dataCenters[" + i + "]";
        Map<String, JsonNode> d = object(sites.get(i), path);
        String name = string(d, sites.get(i), "name", path);
        string(d, sites.get(i), "displayName", path);
        number(d, sites.get(i), "latitude", path);
        number(d, sites.get(i), "longitude", path);
        string(d, sites.get(i), "hostServer", path);
        String system = string(d, sites.get(i), "storageSystem", path);
        if (!STORAGE_SYSTEM.matcher(system).matches()) {
          throw error(
              d.get("storageSystem"),
              path + ".storageSystem",
              "'"
                  + system
                  + "' is not a storage system name (1-64 letters, digits, '_' or '-', starting"
                  + " with a letter or digit)");
        }
        if (!names.add(name)) {
          throw error(d.get("name"), path + ".name", "'" + name + "' is named twice");
        }
        if (!systems.add(system)) {
          throw error(
              d.get("storageSystem"), path + ".storageSystem", "'" + system + "' is named twice");
        }
        dataCenters.add(new DataCenter(name, system));
      }
      List<JsonNode> interfaces = array(top, root, "networkInterfaces", "");
      for (int i = 0; i < interfaces.size(); i++) {
        String path = "networkInterfaces[" + i + "]";
        Map<String, JsonNode> n = object(interfaces.get(i), path);
        string(n, interfaces.get(i), "name", path);
        string(n, interfaces.get(i), "displayName", path);
        number(n, interfaces.get(i), "latitude", path);
        number(n, interfaces.get(i), "longitude", path);
        strings(n, interfaces.get(i), "cidrs", path);
      }
      if (top.containsKey("users")) {
        List<JsonNode> users = array(top, root, "users", "");
        for (int i = 0; i < users.size(); i++) {
          String path = "users[" + i + "]";
          Map<String, JsonNode> u = object(users.get(i), path);
          string(u, users.get(i), "name", path);
          string(u, users.get(i), "password", path);
          if (u.containsKey("roles")) {
            strings(u, users.get(i), "roles", path);
          }
        }
      }
      if (top.containsKey("volumes")) {
        List<JsonNode> volumes = array(top, root, "volumes", "");
        for (int i = 0; i < volumes.size(); i++) {
          String path = "volumes[" + i + "]";
          Map<String, JsonNode> v = object(volumes.get(i), path);
          string(v, volumes.get(i), "name", path);
          string(v, volumes.get(i), "owner", path);
          number(v, volumes.get(i), "sizeBytes", path);
          List<JsonNode> at = strings(v, volumes.get(i), "sites", path);
          for (int j = 0; j < at.size(); j++) {
            String site = (String) at.get(j).value();
            if (!names.contains(site)) {
              throw error(
                  at.get(j),
                  path + ".sites[" + j + "]",
                  "'" + site + "' is no data center of dataCenters (" + names + ")");
            }
          }
        }
      }
      return new Topology(file, List.copyOf(dataCenters));
    }

    private Map<String, JsonNode> object(JsonNode node, String path) throws ConfigException {
      if (node.value() instanceof Map<?, ?> map) {
        @SuppressWarnings("unchecked")
        Map<String, JsonNode> members = (Map<String, JsonNode>) map;
        return members;
      }
      throw error(node, path, "must be an object, not " + node.kind());
    }

    private JsonNode member(Map<String, JsonNode> o, JsonNode owner, String key, String path)
        throws ConfigException {
      JsonNode value = o.get(key);
      if (value == null) {
        throw error(owner, join(path, key), "missing");
      }
      return value;
    }

    private String string(Map<String, JsonNode> o, JsonNode owner, String key, String path)
        throws ConfigException {
      JsonNode value = member(o, owner, key, path);
      if (value.value() instanceof String s && !s.isBlank()) {
        return s;
      }
      throw error(value, join(path, key), "must be a non-empty string, not " + describe(value));
    }

    private void number(Map<String, JsonNode> o, JsonNode owner, String key, String path)
        throws ConfigException {
      JsonNode value = member(o, owner, key, path);
      if (!(value.value() instanceof BigDecimal)) {
        throw error(value, join(path, key), "must be a number, not " + describe(value));
      }
    }

    private List<JsonNode> array(Map<String, JsonNode> o, JsonNode owner, String key, String path)
        throws ConfigException {
      JsonNode value = member(o, owner, key, path);
      if (value.value() instanceof List<?> list) {
        @SuppressWarnings("unchecked")
        List<JsonNode> items = (List<JsonNode>) list;
        return items;
      }
      throw error(value, join(path, key), "must be an array, not " + value.kind());
    }

    private List<JsonNode> strings(Map<String, JsonNode> o, JsonNode owner, String key, String path)
        throws ConfigException {
      List<JsonNode> items = array(o, owner, key, path);
      for (int i = 0; i < items.size(); i++) {
        if (!(items.get(i).value() instanceof String s) || s.isBlank()) {
          throw error(
              items.get(i),
              join(path, key) + "[" + i + "]",
              "must be a non-empty string, not " + describe(items.get(i)));
        }
      }
      return items;
    }

    private static String describe(JsonNode value) {
      return value.value() instanceof String s && s.isBlank() ? "an empty string" : value.kind();
    }

    private static String join(String path, String key) {
      return path.isEmpty() ? key : path + "." + key;
    }

    private ConfigException error(JsonNode node, String path, String problem) {
      return new ConfigException(
          "topology " + file + " line " + node.line() + ": " + path + ": " + problem);
    }
  }
}
