package org.roamstore.gateway.web.volumes;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Optional;
import org.roamstore.gateway.web.Html;
import org.roamstore.gateway.web.Page;

/**
 * {@code /access?volume=}: the result of this session's latest login to a volume (step 808 of Fig.
 * 8 as a page): the data center, whether the primary moved and how long that took, and how to
 * connect.
 */
@WebServlet(urlPatterns = "/access")
public class AccessServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  /** System property: the client's TLS directory as the connect commands name it. */
  static final String TLS_DIRECTORY_PROPERTY = "roamstore.nbd.tls.client-directory";

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    String volume = request.getParameter("volume");
    Optional<IssuedAccess> found =
        volume == null ? Optional.empty() : SessionAccess.of(request).latest(volume);
    if (found.isEmpty()) {
      response.sendRedirect(request.getContextPath() + "/volumes");
      return;
    }
    IssuedAccess a = found.get();
    String base =
        request.getScheme()
            + "://"
            + request.getServerName()
            + ":"
            + request.getServerPort()
            + request.getContextPath();

    PrintWriter out = Page.open(request, response, a.volume());
    out.printf(
        "<h1><span id=\"volume\">%s</span> is ready at <span id=\"data-center\">%s</span></h1>%n",
        Html.escape(a.volume()), Html.escape(a.dataCenterDisplayName()));
    out.println("<dl class=\"facts\">");
    fact(
        out,
        "Data center",
        "dc-detail",
        a.dataCenterDisplayName()
            + " ("
            + a.dataCenter()
            + "), "
            + a.distanceKm()
            + " km from your network interface "
            + a.networkInterface());
    fact(out, "Primary", "primary-moved", primaryText(a));
    fact(
        out,
        "Copy group",
        "copy-group",
        "epoch " + a.epoch() + ", " + a.transferType() + ", " + VolumesServlet.size(a.sizeBytes()));
    fact(out, "Access until", "expires", a.expiresAt() + " (or until you sign out)");
    out.println("</dl>");

    out.println("<h2>Connect</h2>");
    out.printf(
        "<p>NBD URI: <code id=\"nbd-uri\">%s</code> <button type=\"button\" class=\"copy\""
            + " data-copy=\"nbd-uri\">Copy</button></p>%n",
        Html.escape(a.nbdUri()));
    out.println(
        "<p class=\"note\">The export name in the URI is the key to your volume: keep it to"
            + " yourself. It works only while this copy is the primary at epoch "
            + a.epoch()
            + ".</p>");
    String tlsDirectory =
        System.getProperty(TLS_DIRECTORY_PROPERTY, ConnectCommands.DEFAULT_TLS_DIRECTORY);
    if (a.nbdTlsOffered()) {
      out.printf(
          "<p class=\"note\" id=\"nbd-tls\">This data center serves NBD over TLS (%s). Your client"
              + " needs its CA certificate as <code>ca-cert.pem</code> in <code>%s</code>, and"
              + " <code>client-cert.pem</code> and <code>client-key.pem</code> there if it asks for"
              + " client certificates.</p>%n",
          Html.escape(a.nbdTls()), Html.escape(tlsDirectory));
    }
    for (ConnectCommands.Command c : ConnectCommands.of(a, base, tlsDirectory)) {
      out.printf(
          "<p>%s</p><pre><code id=\"%s\">%s</code></pre><button type=\"button\" class=\"copy\""
              + " data-copy=\"%s\">Copy</button>%n",
          Html.escape(c.purpose()), c.id(), Html.escape(c.text()), c.id());
    }
    out.printf(
        "<p>REST block URL: <code id=\"rest-url\">%s/api/blocks/%s</code> with <code>Authorization:"
            + " Bearer</code> <code id=\"bearer-token\">%s</code></p>%n",
        Html.escape(base), Html.escape(a.volume()), Html.escape(a.bearerToken()));
    out.printf("<script src=\"%s/static/copy.js\"></script>%n", request.getContextPath());
    Page.close(out);
  }

  static String primaryText(IssuedAccess a) {
    String took =
        a.switchMillis() == null
            ? ""
            : String.format(Locale.ROOT, "; the switch took %.0f ms", a.switchMillis());
    return switch (a.outcome()) {
      case "SWITCH" ->
          "moved here from "
              + a.previousPrimary()
              + took
              + (a.revokedGrants() > 0
                  ? " (" + a.revokedGrants() + " access(es) at the old primary revoked)"
                  : "");
      case "FORCED_TAKEOVER" ->
          "taken over from "
              + a.previousPrimary()
              + " without it (it was down)"
              + took
              + "; writes it had not sent may be lost";
      case "AT_PRIMARY" -> "did not move: this data center already held the primary";
      case "STAY_REMOTE" ->
          "did not move ("
              + ("MINIMUM_STAY".equals(a.reason())
                  ? "it moved only a moment ago"
                  : "the volume is in use through another data center")
              + "): you use the primary at "
              + a.dataCenterDisplayName();
      default -> a.outcome();
    };
  }

  private static void fact(PrintWriter out, String term, String id, String text) {
    out.printf("<dt>%s</dt><dd id=\"%s\">%s</dd>%n", Html.escape(term), id, Html.escape(text));
  }
}
