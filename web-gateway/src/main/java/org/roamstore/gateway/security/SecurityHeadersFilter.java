package org.roamstore.gateway.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Headers that keep pages from being framed, sniffed or fed foreign scripts. The pages' scripts are
 * files under {@code /static}, so the policy allows no inline script at all. When HTTPS is
 * required, answers over HTTPS also tell the browser to come back over HTTPS only ({@code
 * Strict-Transport-Security}, see {@link TransportSecurity}).
 */
@WebFilter(urlPatterns = "/*")
public class SecurityHeadersFilter extends HttpFilter {
  private static final long serialVersionUID = 1L;

  private final transient TransportSecurity transport;

  public SecurityHeadersFilter() {
    this(TransportSecurity.fromSystemProperties());
  }

  SecurityHeadersFilter(TransportSecurity transport) {
    this.transport = transport;
  }

  @Override
  protected void doFilter(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    response.setHeader(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none';"
            + " form-action 'self'; base-uri 'none'");
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setHeader("Referrer-Policy", "same-origin");
    transport
        .strictTransportSecurity(request.isSecure())
        .ifPresent(value -> response.setHeader("Strict-Transport-Security", value));
    chain.doFilter(request, response);
  }
}
