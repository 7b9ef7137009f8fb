package org.roamstore.gateway.web.status;

import jakarta.ejb.EJBException;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.ConstraintViolationException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.verify.VerifyOptions;
import org.roamstore.directory.verify.VerifyService;
import org.roamstore.gateway.rest.ErrorBody;
import org.roamstore.gateway.security.Csrf;
import org.roamstore.gateway.web.Html;
import org.roamstore.gateway.web.Page;

/**
 * {@code /status}: the frame of the status page. Its script ({@code /static/status.js}) reads
 * {@code /api/status} and {@code /api/history} every {@value #REFRESH_MILLIS} ms with the session's
 * cookie and redraws the map ({@code status-map.js}: hand-drawn SVG, no tiles, nothing from
 * elsewhere), the tables with their lag charts ({@code status-lag-chart.js}) and progress bars, and
 * the history ({@code status-history.js}), so the page stays current without reloading. Polling
 * rather than server-sent events: the status is a few kilobytes, and polling needs no connection
 * held open per operator.
 *
 * <p>Each copy group's row has a Verify button: a form posted here with the session's CSRF token
 * (the API takes no state-changing request on a cookie), which starts an online verify of every
 * secondary in sync, at the default rate, repairing what differs; the page then shows its progress
 * and result.
 */
@WebServlet(urlPatterns = "/status")
public class StatusPageServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  static final int REFRESH_MILLIS = 2000;
  private static final int MAP_WIDTH = 640;
  private static final int MAP_HEIGHT = 420;

  /** What status.js draws with, loaded before it in this order. */
  private static final List<String> HELPER_SCRIPTS =
      List.of("svg.js", "status-map.js", "status-lag-chart.js", "status-history.js");

  @Inject private transient VerifyService verifies;

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    String verified = request.getParameter("verifying");
    page(
        request,
        response,
        verified == null ? null : "A verify of " + verified + " started; its progress shows below.",
        null);
  }

  @Override
  protected void doPost(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    if (!Csrf.valid(request)) {
      Page.formExpired(request, response);
      return;
    }
    String volume = request.getParameter("volume");
    if (volume == null || volume.isBlank()) {
      response.setStatus(400);
      page(request, response, null, "Choose a volume to verify.");
      return;
    }
    try {
      verifies.start(volume, VerifyOptions.defaults(), request.getUserPrincipal().getName());
    } catch (DirectoryException | EJBException | ConstraintViolationException e) {
      DirectoryException d = directoryCause(e);
      response.setStatus(d == null ? 400 : ErrorBody.status(d.code()));
      page(
          request,
          response,
          null,
          "The verify of "
              + volume
              + " did not start: "
              + (d == null
                  ? String.valueOf(e.getMessage())
                  : d.getMessage() + " (" + d.code() + ")"));
      return;
    }
    // Post/redirect/get: reloading the page does not start another verify.
    response.sendRedirect(
        request.getContextPath()
            + "/status?verifying="
            + URLEncoder.encode(volume, StandardCharsets.UTF_8));
  }

  private void page(
      HttpServletRequest request, HttpServletResponse response, String note, String error)
      throws IOException {
    String base = request.getContextPath();
    PrintWriter out = Page.open(request, response, "Status");
    out.printf(
        "<h1>Status</h1><p class=\"note\">Updated <span id=\"updated\">never</span>;"
            + " refreshes every %d s. <span id=\"status-error\" class=\"error\"></span></p>%n",
        REFRESH_MILLIS / 1000);
    if (note != null) {
      out.printf("<p id=\"verify-note\" class=\"note\">%s</p>%n", Html.escape(note));
    }
    if (error != null) {
      out.printf("<p id=\"verify-error\" class=\"error\">%s</p>%n", Html.escape(error));
    }
    out.println("<h2>Map</h2>");
    out.println(
        "<div id=\"map-area\"><svg id=\"map\" viewBox=\"0 0 "
            + MAP_WIDTH
            + " "
            + MAP_HEIGHT
            + "\" role=\"img\" aria-label=\"data centers, network interfaces and primaries\">"
            + "</svg><div id=\"volume-details\"><p class=\"note\">Click a primary (a dot beside"
            + " its data center), a line or a volume in the table for its details.</p></div></div>");
    out.println(
        "<p class=\"note legend\">Large circles: data centers; squares: network interfaces;"
            + " dots: the primaries each data center holds. Lines from a primary to its"
            + " secondaries: <span class=\"key in-sync\">in sync</span>, <span class=\"key"
            + " lagging\">lagging</span>, <span class=\"key resyncing\">resyncing</span>,"
            + " <span class=\"key out-of-sync\">out of sync</span>, <span class=\"key"
            + " unknown\">not reported</span>.</p>");
    out.println("<h2>Data centers</h2>");
    out.println(
        "<table id=\"sites\"><thead><tr><th>Site</th><th>State</th><th>Volumes</th>"
            + "<th>Cache dirty</th><th>NBD</th></tr></thead><tbody></tbody></table>");
    out.println("<h2>Copy volume groups</h2>");
    out.println(
        "<table id=\"groups\"><thead><tr><th>Volume</th><th>Owner</th><th>Transfer</th>"
            + "<th>Primary</th><th>Epoch</th><th>Members (storage epoch, lag)</th><th>Lag, last"
            + " 15 min</th><th>Running</th><th>Active access</th><th>Verify (per secondary)</th>"
            + "<th></th></tr></thead><tbody></tbody></table>");
    out.println(
        "<p class=\"note\">Verify compares every region of each secondary in sync with the"
            + " primary's while writes go on, and resyncs regions that differ. A secondary never"
            + " verified says so. Running: the drain of a switch, resyncs and verifies, with how"
            + " far each got.</p>");
    out.println("<h2>History</h2>");
    out.println(
        "<form id=\"history-filter\"><label>Volume <input id=\"history-volume\""
            + " name=\"volume\" maxlength=\"64\"></label> <label>User <input"
            + " id=\"history-user\" name=\"user\" maxlength=\"64\"></label> <button"
            + " type=\"submit\" id=\"history-apply\">Filter</button> <span id=\"history-error\""
            + " class=\"error\"></span></form>");
    out.println("<ol id=\"history\" class=\"history\"></ol>");
    for (String script : HELPER_SCRIPTS) {
      out.printf("<script src=\"%s/static/%s\"></script>%n", Html.escape(base), script);
    }
    out.printf(
        "<script src=\"%s/static/status.js\" data-api=\"%s/api/status\""
            + " data-history=\"%s/api/history\" data-refresh=\"%d\""
            + " data-verify=\"%s/status\" data-csrf-field=\"%s\" data-csrf=\"%s\"></script>%n",
        Html.escape(base),
        Html.escape(base),
        Html.escape(base),
        REFRESH_MILLIS,
        Html.escape(base),
        Csrf.FIELD,
        Html.escape(Csrf.token(request)));
    Page.close(out);
  }

  private static DirectoryException directoryCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof DirectoryException d) {
        return d;
      }
    }
    return null;
  }
}
