package org.roamstore.runtime;

import java.nio.file.Path;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import org.roamstore.broker.SiteBroker;

/**
 * Starts the broker the in-container tests' Payara Micro talks to, once per test JVM and before any
 * container starts; it stops when the test JVM's session closes.
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
      broker = SiteBroker.start(Path.of(data, "broker"), "127.0.0.1", Integer.parseInt(port));
    } catch (Exception e) {
      throw new IllegalStateException("the test broker did not start on port " + port, e);
    }
  }

  @Override
  public void launcherSessionClosed(LauncherSession session) {
    if (broker != null) {
      try {
        broker.close();
      } catch (Exception e) {
        throw new IllegalStateException("the test broker did not stop", e);
      }
    }
  }
}
