package org.roamstore.gateway.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.FilterChain;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.roamstore.gateway.security.TransportSecurity.Mode;

class TransportSecurityTest {
  private static final TransportSecurity REQUIRED = new TransportSecurity(Mode.REQUIRED, 8443);
  private static final TransportSecurity OPTIONAL = new TransportSecurity(Mode.OPTIONAL, 8443);
  private static final TransportSecurity OFF = new TransportSecurity(Mode.OFF, 0);

  @Test
  void onlyRequiredRefusesThePlainPort() {
    assertFalse(REQUIRED.admits(false));
    assertTrue(REQUIRED.admits(true));
    assertTrue(OPTIONAL.admits(false));
    assertTrue(OFF.admits(false));
  }

  @Test
  void aPageIsRedirectedToTheSamePathOverHttps() {
    assertEquals(
        Optional.of("https://127.0.0.1:8443/volumes?next=%2Fstatus"),
        REQUIRED.redirect("GET", "127.0.0.1", "/volumes", "", "next=%2Fstatus"));
    assertEquals(
        Optional.of("https://gw.example:8443/app/login"),
        REQUIRED.redirect("HEAD", "gw.example", "/app/login", "/app", null));
    assertEquals(
        Optional.of("https://[::1]:8443/"), REQUIRED.redirect("GET", "::1", "/", "", null));
    assertEquals(
        "https://gw.example/",
        new TransportSecurity(Mode.REQUIRED, 443).https("gw.example", "/"),
        "the default port is left out");
  }

  @Test
  void theApiAndEveryFormPostAreRefusedNotRedirected() {
    assertEquals(Optional.empty(), REQUIRED.redirect("GET", "h", "/api/status", "", null));
    assertEquals(Optional.empty(), REQUIRED.redirect("GET", "h", "/api", "", null));
    assertEquals(Optional.empty(), REQUIRED.redirect("POST", "h", "/login", "", null));
    assertEquals(
        Optional.of("https://h:8443/apiary"), REQUIRED.redirect("GET", "h", "/apiary", "", null));
  }

  @Test
  void requiredNeedsItsPortAndBadPropertiesAreRefusedByName() {
    assertThrows(IllegalArgumentException.class, () -> new TransportSecurity(Mode.REQUIRED, 0));
    String mode = System.getProperty(TransportSecurity.MODE_PROPERTY);
    try {
      System.setProperty(TransportSecurity.MODE_PROPERTY, "sometimes");
      IllegalStateException e =
          assertThrows(IllegalStateException.class, TransportSecurity::fromSystemProperties);
      assertTrue(e.getMessage().contains(TransportSecurity.MODE_PROPERTY), e.getMessage());
      System.clearProperty(TransportSecurity.MODE_PROPERTY);
      assertEquals(Mode.OFF, TransportSecurity.fromSystemProperties().mode(), "the default");
    } finally {
      if (mode != null) {
        System.setProperty(TransportSecurity.MODE_PROPERTY, mode);
      }
    }
  }

  @Test
  void theFilterSendsHstsOnlyOverHttpsAndOnlyWhenHttpsIsRequired() throws Exception {
    assertEquals(TransportSecurity.HSTS, headers(REQUIRED, true).get("Strict-Transport-Security"));
    assertNull(headers(REQUIRED, false).get("Strict-Transport-Security"), "never over plain HTTP");
    assertNull(
        headers(OPTIONAL, true).get("Strict-Transport-Security"),
        "optional keeps the plain port usable for browsers");
    assertNull(headers(OFF, false).get("Strict-Transport-Security"));
    Map<String, String> headers = headers(REQUIRED, true);
    assertEquals("nosniff", headers.get("X-Content-Type-Options"), "the other headers stay");
    assertTrue(headers.get("Content-Security-Policy").contains("frame-ancestors 'none'"));
  }

  /** The headers the filter set on one answer, and that it passed the request on. */
  private static Map<String, String> headers(TransportSecurity transport, boolean secure)
      throws Exception {
    Map<String, String> headers = new HashMap<>();
    HttpServletRequest request =
        proxy(
            HttpServletRequest.class,
            (method, args) -> method.equals("isSecure") ? Boolean.valueOf(secure) : null);
    HttpServletResponse response =
        proxy(
            HttpServletResponse.class,
            (method, args) -> {
              if (method.equals("setHeader")) {
                headers.put((String) args[0], (String) args[1]);
              }
              return null;
            });
    boolean[] passedOn = {false};
    FilterChain chain = (req, res) -> passedOn[0] = true;
    new SecurityHeadersFilter(transport).doFilter(request, response, chain);
    assertTrue(passedOn[0], "the request goes on to the resource");
    return headers;
  }

  private interface Answer {
    Object answer(String method, Object[] args);
  }

  private static <T> T proxy(Class<T> type, Answer answer) {
    return type.cast(
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (self, method, args) -> answer.answer(method.getName(), args)));
  }
}
