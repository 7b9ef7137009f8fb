package org.roamstore.gateway.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import org.roamstore.gateway.security.Caller;
import org.roamstore.gateway.security.Csrf;
import org.roamstore.gateway.security.GatewayAuthenticationMechanism;

/**
 * The frame every page shares: head, navigation (with the sign-out form when someone is signed in)
 * and the stylesheet. Pages write their body between {@link #open} and {@link #close}.
 */
public final class Page {
  private Page() {}

  public static PrintWriter open(
      HttpServletRequest request, HttpServletResponse response, String title) throws IOException {
    response.setContentType("text/html;charset=UTF-8");
    // Pages show tokens and export names: never keep them in a cache.
    response.setHeader("Cache-Control", "no-store");
    String base = request.getContextPath();
    PrintWriter out = response.getWriter();
    out.println("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">");
    out.println("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    out.printf("<title>%s · Roamstore</title>%n", Html.escape(title));
    out.printf("<link rel=\"stylesheet\" href=\"%s/static/roamstore.css\">%n", base);
    out.println("</head><body><header><nav>");
    out.printf("<a class=\"brand\" href=\"%s/\">Roamstore</a>%n", base);
    Caller caller = GatewayAuthenticationMechanism.caller(request);
    if (caller != null) {
      out.printf("<a href=\"%s/volumes\">My volumes</a>%n", base);
      if (caller.isAdmin()) {
        out.printf("<a href=\"%s/status\">Status</a>%n", base);
      }
      out.printf(
          "<form class=\"signout\" method=\"post\" action=\"%s/logout\">"
              + "<span id=\"signed-in-as\">%s</span>"
              + "<input type=\"hidden\" name=\"%s\" value=\"%s\">"
              + "<button type=\"submit\" id=\"sign-out\">Sign out</button></form>%n",
          base, Html.escape(caller.name()), Csrf.FIELD, Html.escape(Csrf.token(request)));
    } else {
      out.printf("<a href=\"%s/login\">Sign in</a>%n", base);
    }
    out.println("</nav></header><main>");
    return out;
  }

  public static void close(PrintWriter out) {
    out.println("</main></body></html>");
  }

  /** The hidden CSRF field for a form of this session. */
  public static String csrfField(HttpServletRequest request) {
    return "<input type=\"hidden\" name=\""
        + Csrf.FIELD
        + "\" value=\""
        + Html.escape(Csrf.token(request))
        + "\">";
  }

  /** A refused form (CSRF token missing or stale): nothing was done. */
  public static void formExpired(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    response.setStatus(403);
    PrintWriter out = open(request, response, "Form expired");
    out.println(
        "<h1>This form has expired</h1><p class=\"error\">Nothing was done. Go back, reload the"
            + " page and send it again.</p>");
    close(out);
  }

  /** Only paths inside this application: a sign-in must not send anyone to another site. */
  public static String safeNext(HttpServletRequest request, String next, String otherwise) {
    if (next == null || !next.startsWith("/") || next.startsWith("//") || next.contains("\\")) {
      return request.getContextPath() + otherwise;
    }
    return request.getContextPath() + next;
  }
}
