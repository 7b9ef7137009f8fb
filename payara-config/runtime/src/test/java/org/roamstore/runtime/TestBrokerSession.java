package org.roamstore.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import org.roamstore.broker.BrokerUsers;
import org.roamstore.broker.SiteBroker;

/**
 * Starts the broker the in-container tests' Payara Micro talks to, once per test JVM and before any
 * container starts; it stops when the test JVM's session closes. It has the users of a real run:
 * the passwords the build's rendering of the post-boot file made under it.data/secrets (the server
 * logs in as {@link BrokerUsers#ALL_IN_ONE}, an integrating system as {@code integration}).
 */
public class TestBrokerSession implements LauncherSessionListener {
  private SiteBroker broker;

  @Override
  public void launcherSessionOpened(LauncherSession session) {
    String port = System.getProperty("it.broker.port");
    String data = System.getProperty("it.data");
    if (port == null || data == null) {
      // Not failsafe with the runtime's settings: surefire (which sees -Dit.broker.port given
      // to Maven, but no it.data), or an IDE's run of a unit test.
      return;
    }
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.activemq.audit", "off");
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    try {
      broker =
          SiteBroker.start(
              Path.of(data, "broker"),
              "127.0.0.1",
              Integer.parseInt(port),
              null,
              Map.of(),
              BrokerUsers.load(secrets(), null, List.of()),
              null);
    } catch (Exception e) {
      throw new IllegalStateException("the test broker did not start on port " + port, e);
    }
  }

  /**
   * Waits until the Payara Micro of the last test class has stopped before its broker goes: the
   * container sends it SIGTERM and returns at once, and a Payara whose broker is gone spends some
   * 90 s in its message-driven beans' teardown (waiting out the resource adapter's timeouts),
   * outliving the test run and holding the storage units' directories. With the broker up it stops
   * in about two seconds. Bounded: one still running after a minute is killed.
   */
  private static void awaitPayaraStopped() {
    String ours = "-Droamstore.data=" + System.getProperty("it.data");
    List<ProcessHandle> payaras =
        ProcessHandle.allProcesses()
            .filter(p -> p.info().commandLine().map(c -> c.contains(ours)).orElse(false))
            .toList();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (ProcessHandle p : payaras) {
      try {
        p.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        p.destroyForcibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      } catch (ExecutionException e) {
        // onExit does not fail; nothing to wait for
      }
    }
  }

  static Path secrets() {
    return Path.of(System.getProperty("it.data"), "secrets");
  }

  /** The password of the server's user, which may manage the broker. */
  static String serverPassword() throws IOException {
    return firstLine(secrets().resolve("sites").resolve(BrokerUsers.ALL_IN_ONE + ".password"));
  }

  /** The file of the integrating system's password. */
  static Path integrationPasswordFile() {
    return secrets().resolve("integrations").resolve("integration.password");
  }

  static String firstLine(Path file) throws IOException {
    return Files.readAllLines(file).get(0);
  }

  @Override
  public void launcherSessionClosed(LauncherSession session) {
    if (broker != null) {
      awaitPayaraStopped();
      try {
        broker.close();
      } catch (Exception e) {
        throw new IllegalStateException("the test broker did not stop", e);
      }
    }
  }
}
