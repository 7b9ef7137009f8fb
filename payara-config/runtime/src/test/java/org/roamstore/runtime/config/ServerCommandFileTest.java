package org.roamstore.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
        written(
            Path.of("target/roamstore"),
            List.of("--ear", ear.toString(), "--data", data.toString(), "--broker-port", "5445"));
    assertTrue(
        lines.get(0).startsWith("create-system-properties roamstore.topology=/"), lines.get(0));
    assertTrue(lines.get(0).endsWith("/demo-topology.json"), lines.get(0));
    String password = Files.readString(data.resolve("secrets/sites/roamstore.password")).trim();
    // Without TLS the server needs no system property of the broker's: the pools carry the user.
    assertEquals(
        "create-resource-adapter-config --property"
            + " ConnectionParameters=host\\\\=127.0.0.1;port\\\\=5445:UserName=roamstore:Password="
            + password
            + " artemis-rar",
        lines.get(1));
    // The directory's events have a pool of their own, logging in as the site's user.
    int events =
        lines.indexOf(
            "create-connector-resource --poolname jms-roamstore-events-pool jms/roamstoreEvents");
    assertTrue(events > 0, String.join("\n", lines));
    assertEquals(
        "create-connector-connection-pool --raname artemis-rar --connectiondefinition"
            + " jakarta.jms.ConnectionFactory --transactionsupport NoTransaction --ping false"
            + " --steadypoolsize 0 --maxpoolsize 4 --property UserName=roamstore:Password="
            + password
            + " jms-roamstore-events-pool",
        lines.get(events - 1));
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
            + ":BrokerClientProperties="
            + data.resolve("runtime/broker-client.properties")
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

  @Test
  void theFileIsOwnerOnlyAndWhatIsPrintedHoldsNoPassword() throws Exception {
    Path ear = Files.writeString(dir.resolve("roamstore.ear"), "");
    Path data = dir.resolve("data");
    // A file others could read is replaced, not written into.
    Path out = Files.writeString(dir.resolve("server.asadmin"), "old");
    Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-r--r--"));
    String printed =
        ServerCommandFile.render(
            Path.of("target/roamstore"),
            List.of("--ear", ear.toString(), "--data", data.toString(), "--out", out.toString()),
            Map.of());

    assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(out));
    String password = Files.readString(data.resolve("secrets/sites/roamstore.password")).trim();
    assertTrue(Files.readString(out).contains("Password=" + password), Files.readString(out));
    assertFalse(printed.contains(password), printed);
    assertEquals(
        "command file (owner-only, apply with asadmin multimode --file): "
            + out
            + "\nthe broker's options beside --data, --host and --port: --secrets "
            + data.resolve("secrets")
            + "\n",
        printed);
    assertEquals(
        PosixFilePermissions.fromString("rw-------"),
        Files.getPosixFilePermissions(data.resolve("runtime/broker-client.properties")));
  }

  @Test
  void withoutOutOrWithADirectoryThereItIsRefusedNamingOut() throws Exception {
    Path ear = Files.writeString(dir.resolve("roamstore.ear"), "");
    Path data = dir.resolve("data");
    assertEquals(
        "--out FILE: where to write the command file; it holds the broker user's password, so it is"
            + " written owner-only and never printed",
        assertThrows(
                ConfigException.class,
                () ->
                    ServerCommandFile.render(
                        Path.of("target/roamstore"),
                        List.of("--ear", ear.toString(), "--data", data.toString()),
                        Map.of()))
            .getMessage());
    assertEquals(
        "--out " + dir + ": a directory; name the file to write",
        error(
            List.of("--ear", ear.toString(), "--data", data.toString(), "--out", dir.toString())));
    assertEquals("--out: a value is missing", error(List.of("--ear", ear.toString(), "--out")));
  }

  @Test
  void aSitesServerLogsInAsTheSiteOverTlsWithItsCertificate() throws Exception {
    Path ear = Files.writeString(dir.resolve("roamstore.ear"), "");
    Path data = dir.resolve("data");
    ServerCommandFile.Written written =
        ServerCommandFile.write(
            Path.of("target/roamstore"),
            List.of(
                "--ear",
                ear.toString(),
                "--data",
                data.toString(),
                "--out",
                dir.resolve("portland.asadmin").toString(),
                "--site",
                "portland",
                "--jdbc-url",
                "jdbc:postgresql://db.example:5432/roamstore",
                "--peer",
                "seattle=10.0.0.1:61616"),
            Map.of());
    List<String> lines = List.of(Files.readString(written.file()).split("\n"));

    // A site's broker is TLS by default (as with run --site): the demo CA's certificates are made.
    Path stores = data.resolve("runtime/broker-tls");
    assertEquals(
        List.of(
            "--site",
            "portland",
            "--peer",
            "seattle=10.0.0.1:61616",
            "--secrets",
            data.resolve("secrets").toString(),
            "--tls",
            data.resolve("runtime/broker-tls.properties").toString()),
        written.brokerArguments());
    assertTrue(Files.isRegularFile(data.resolve("tls/portland/server-cert.pem")));
    String password = Files.readString(data.resolve("secrets/sites/portland.password")).trim();
    String system = lines.get(1);
    assertTrue(
        system.startsWith("create-system-properties org.apache.activemq.ssl.keyStore="), system);
    assertFalse(system.contains("roamstore.broker"), system);
    assertFalse(system.contains(password), "the broker user's password is no system property");
    assertTrue(
        system.contains(":org.apache.activemq.ssl.trustStore=" + stores.resolve("truststore.p12")),
        system);
    assertTrue(
        lines.get(2).startsWith("create-resource-adapter-config --property ConnectionParameters="),
        lines.get(2));
    assertTrue(
        lines
            .get(2)
            .contains(
                ";sslEnabled\\\\=true;verifyHost\\\\=true;keyStorePath\\\\="
                    + stores.resolve("keystore.p12")),
        lines.get(2));
    assertTrue(lines.get(2).endsWith(":UserName=portland:Password=" + password + " artemis-rar"));
    assertEquals(
        2,
        lines.stream()
            .filter(
                l ->
                    l.startsWith("create-connector-connection-pool --raname artemis-rar")
                        && l.contains("--property UserName=portland:Password=" + password + " "))
            .count(),
        "the JMS pool and the events' pool log in as the site: " + String.join("\n", lines));
    assertTrue(
        lines.stream()
            .filter(l -> l.contains("--raname roamstore#storage-connector"))
            .allMatch(
                l ->
                    l.contains(
                        ":BrokerClientProperties="
                            + data.resolve("runtime/broker-client.properties")
                            + ":LocalSite=portland ")),
        String.join("\n", lines));
  }

  private String error(List<String> args) {
    return error(Path.of("target/roamstore"), args);
  }

  /** The refusal of {@code args}, with an --out of the test's own unless they name one. */
  private String error(Path dist, List<String> args) {
    List<String> all =
        args.contains("--out") ? args : concat(args, "--out", dir.resolve("x.asadmin").toString());
    return assertThrows(ConfigException.class, () -> ServerCommandFile.render(dist, all, Map.of()))
        .getMessage();
  }

  /** The file written for {@code args}, in a file of the test's own. */
  private List<String> written(Path dist, List<String> args) throws Exception {
    Path out = dir.resolve("server.asadmin");
    ServerCommandFile.render(dist, concat(args, "--out", out.toString()), Map.of());
    return List.of(Files.readString(out).split("\n"));
  }

  /** The source tree's demo topology: a dist made in a test has none. */
  private List<String> lines(Path dist, List<String> args) throws Exception {
    return written(dist, concat(args, "--topology", "src/main/roamstore/demo-topology.json"));
  }

  private static List<String> concat(List<String> args, String... more) {
    List<String> all = new ArrayList<>(args);
    all.addAll(List.of(more));
    return all;
  }
}
