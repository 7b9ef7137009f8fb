package org.roamstore.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerCommandFileTest {
  @TempDir Path dir;

  @Test
  void theServersFileHoldsMicrosResourcesAndTheStoragePoolsAfterTheEar() throws Exception {
    Path ear = Files.writeString(dir.resolve("roamstore.ear"), "not read here");
    Path data = dir.resolve("data");
    List<String> lines =
        List.of(
            ServerCommandFile.render(
                    Path.of("target/roamstore"),
                    List.of(
                        "--ear",
                        ear.toString(),
                        "--data",
                        data.toString(),
                        "--broker-port",
                        "5445"),
                    Map.of())
                .split("\n"));
    assertTrue(
        lines.get(0).startsWith("create-system-properties roamstore.topology=/"), lines.get(0));
    assertTrue(lines.get(0).endsWith("/demo-topology.json"), lines.get(0));
    assertEquals(
        "create-resource-adapter-config --property"
            + " ConnectionParameters=host\\\\=127.0.0.1;port\\\\=5445 artemis-rar",
        lines.get(1));
    int deploy = lines.indexOf("deploy --name roamstore " + ear);
    assertTrue(
        deploy
            > lines.indexOf(
                "create-jdbc-resource --connectionpoolid directory-pool jdbc/roamstore"));
    assertEquals(
        "create-connector-connection-pool --raname roamstore#storage-connector --connectiondefinition"
            + " org.roamstore.storage.api.StorageConnectionFactory --transactionsupport NoTransaction"
            + " --ping false --property StorageSystem=seattle:DataDirectory="
            + data.resolve("storage/seattle")
            + ":NbdHost=127.0.0.1:NbdPort=10809:NbdTls=off:BrokerUrl=tcp\\\\://127.0.0.1\\\\:5445"
            + " storage-seattle-pool",
        lines.get(deploy + 1));
    assertEquals("ping-connection-pool storage-sanfrancisco-pool", lines.get(lines.size() - 1));
    assertTrue(
        lines.contains(
            "create-jdbc-connection-pool --datasourceclassname org.h2.jdbcx.JdbcDataSource --restype"
                + " javax.sql.DataSource --property url=jdbc\\\\:h2\\\\:file\\\\:"
                + data.resolve("directory/roamstore")
                + ";QUERY_CACHE_SIZE\\\\=64 directory-pool"));
  }

  @Test
  void glassFishsFileAddsTheDirectorysDriverFirstThenHoldsPayarasCommands() throws Exception {
    Path ear = Files.writeString(dir.resolve("roamstore.ear"), "not read here");
    Path dist = Files.createDirectories(dir.resolve("dist"));
    Path h2 = Files.writeString(Files.createDirectories(dist.resolve("lib")).resolve("h2.jar"), "");
    Path postgres = Files.writeString(dist.resolve("lib/postgresql.jar"), "");
    List<String> args = List.of("--ear", ear.toString(), "--data", dir.resolve("data").toString());
    List<String> payara = lines(dist, args);
    List<String> glassFish = lines(dist, concat(args, "--server", "glassfish"));

    assertEquals("add-library --type common " + h2, glassFish.get(0));
    assertEquals(payara, glassFish.subList(1, glassFish.size()));
    assertEquals(payara, lines(dist, concat(args, "--server", "payara")));
    assertEquals(
        "add-library --type common " + postgres,
        lines(
                dist,
                concat(
                    args,
                    "--server",
                    "glassfish",
                    "--jdbc-url",
                    "jdbc:postgresql://db.example:5432/roamstore"))
            .get(0));
  }

  @Test
  void aWrongServerOrADistWithoutTheDriverIsRefusedNamingTheOption() throws Exception {
    Path ear = Files.writeString(dir.resolve("x.ear"), "");
    Path dist = Files.createDirectories(dir.resolve("dist"));
    assertEquals(
        "--server: payara or glassfish, not 'wildfly'",
        error(dist, List.of("--ear", ear.toString(), "--server", "wildfly")));
    assertEquals(
        "--dist: no JDBC driver "
            + dist.resolve("lib/h2.jar")
            + " (mvn package builds it into the dist's lib/)",
        error(
            dist,
            List.of(
                "--ear",
                ear.toString(),
                "--server",
                "glassfish",
                "--topology",
                "src/main/roamstore/demo-topology.json")));
    assertEquals(
        "--server: a value is missing", error(dist, List.of("--ear", ear.toString(), "--server")));
  }

  @Test
  void withoutAnEarOrWithMicrosOwnOptionsItIsRefused() throws Exception {
    assertEquals(
        "--ear EAR: the application to deploy (ear/target/roamstore.ear)",
        error(List.of("--data", dir.toString())));
    Path ear = Files.writeString(dir.resolve("x.ear"), "");
    assertEquals(
        "--https: a setting of Payara Micro; a full server has its own (asadmin)",
        error(List.of("--ear", ear.toString(), "--https", "required")));
  }

  private String error(List<String> args) {
    return error(Path.of("target/roamstore"), args);
  }

  private static String error(Path dist, List<String> args) {
    return assertThrows(ConfigException.class, () -> ServerCommandFile.render(dist, args, Map.of()))
        .getMessage();
  }

  /** The source tree's demo topology: a dist made in a test has none. */
  private static List<String> lines(Path dist, List<String> args) throws ConfigException {
    List<String> all = concat(args, "--topology", "src/main/roamstore/demo-topology.json");
    return List.of(ServerCommandFile.render(dist, all, Map.of()).split("\n"));
  }

  private static List<String> concat(List<String> args, String... more) {
    List<String> all = new ArrayList<>(args);
    all.addAll(List.of(more));
    return all;
  }
}
