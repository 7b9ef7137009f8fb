package org.roamstore.gateway.security;

import java.util.Locale;
import java.util.Optional;

/**
 * Whether the gateway must be reached over HTTPS, as the launcher says ({@code --https}, passed as
 * the system properties {@value #MODE_PROPERTY} and {@value #PORT_PROPERTY}):
 *
 * <ul>
 *   <li>{@code off}: plain HTTP only (a proxy in front may terminate TLS);
 *   <li>{@code optional}: both ports answer; no HSTS, or browsers would give up the plain port;
 *   <li>{@code required}: HTTPS answers carry {@code Strict-Transport-Security}; on the plain port
 *       a person's page (GET or HEAD outside {@code /api}) is redirected to the same path over
 *       HTTPS, anything else is refused without being looked at (credentials sent in clear are not
 *       checked, so a program that forgot {@code https://} fails at once instead of leaking them on
 *       every call).
 * </ul>
 *
 * The session cookie is {@code Secure} on HTTPS answers (glassfish-web.xml, {@code cookieSecure}
 * dynamic), so a browser never sends it over the plain port.
 */
public record TransportSecurity(Mode mode, int httpsPort) {
  static final String MODE_PROPERTY = "roamstore.https";
  static final String PORT_PROPERTY = "roamstore.https.port";

  /** One year, as browsers' preload lists ask; no includeSubDomains: the gateway owns one host. */
  static final String HSTS = "max-age=31536000";

  public enum Mode {
    OFF,
    OPTIONAL,
    REQUIRED
  }

  public TransportSecurity {
    if (mode == Mode.REQUIRED && (httpsPort < 1 || httpsPort > 65535)) {
      throw new IllegalArgumentException(
          PORT_PROPERTY + " must be the HTTPS port when HTTPS is required, not " + httpsPort);
    }
  }

  /** From the launcher's system properties; without them, off (the tests' Payara Micro). */
  public static TransportSecurity fromSystemProperties() {
    String mode = System.getProperty(MODE_PROPERTY, "off").trim();
    String port = System.getProperty(PORT_PROPERTY, "0").trim();
    try {
      return new TransportSecurity(
          Mode.valueOf(mode.toUpperCase(Locale.ROOT)), Integer.parseInt(port));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          MODE_PROPERTY
              + " must be off, optional or required and "
              + PORT_PROPERTY
              + " a port, not '"
              + mode
              + "' and '"
              + port
              + "'",
          e);
    }
  }

  /** Whether a request that came in this way may be served at all. */
  public boolean admits(boolean secure) {
    return secure || mode != Mode.REQUIRED;
  }

  /** The {@code Strict-Transport-Security} value for an answer, if it gets one. */
  public Optional<String> strictTransportSecurity(boolean secure) {
    return secure && mode == Mode.REQUIRED ? Optional.of(HSTS) : Optional.empty();
  }

  /**
   * The HTTPS address a refused plain request is redirected to, or empty when it is refused
   * outright (the API, and every method but GET and HEAD).
   *
   * @param host the host the client asked for (the Host header), without port
   * @param uri the request URI (context path included), {@code query} without '?' or null
   */
  public Optional<String> redirect(
      String method, String host, String uri, String contextPath, String query) {
    String path = uri.substring(Math.min(uri.length(), contextPath.length()));
    boolean api = path.equals("/api") || path.startsWith("/api/");
    if (api || !("GET".equals(method) || "HEAD".equals(method))) {
      return Optional.empty();
    }
    return Optional.of(https(host, uri) + (query == null ? "" : "?" + query));
  }

  /** The same resource over HTTPS, for the refusal's message. */
  public String https(String host, String uri) {
    // An IPv6 literal needs its brackets back in a URL.
    String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    return "https://" + h + (httpsPort == 443 ? "" : ":" + httpsPort) + uri;
  }
}
