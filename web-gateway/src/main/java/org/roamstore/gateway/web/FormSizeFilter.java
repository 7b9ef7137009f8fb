package org.roamstore.gateway.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Refuses a page's form post larger than any of the gateway's forms can be, before anything reads
 * its fields. Without it, the first {@code getParameter} of a 10 MiB sign-in post threw Grizzly's
 * "Post too large" out of the servlet: Payara's HTML 500 page and a logged stack trace. The API
 * takes no forms (its endpoints refuse them with their own JSON errors).
 */
@WebFilter(urlPatterns = "/*")
public class FormSizeFilter extends HttpFilter {
  private static final long serialVersionUID = 1L;

  /** The largest form a person can send: names, a password, a CSRF token, a next address. */
  static final long LIMIT_BYTES = 64 * 1024;

  @Override
  protected void doFilter(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    String type = request.getContentType();
    long length = request.getContentLengthLong();
    if (!request.getServletPath().startsWith("/api")
        && type != null
        && type.regionMatches(true, 0, "application/x-www-form-urlencoded", 0, 33)
        && length > LIMIT_BYTES) {
      response.setStatus(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE);
      response.setContentType("text/plain");
      response.setCharacterEncoding("UTF-8");
      response.getWriter().write("A form of this gateway is at most 64 KiB.\n");
      return;
    }
    chain.doFilter(request, response);
  }
}
