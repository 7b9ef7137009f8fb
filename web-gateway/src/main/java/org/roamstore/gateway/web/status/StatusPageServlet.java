package org.roamstore.gateway.web.status;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import org.roamstore.gateway.web.Html;
import org.roamstore.gateway.web.Page;

/**
 * {@code /status}: the frame of the status page. Its script ({@code /static/status.js}) reads
 * {@code /api/status} every {@value #REFRESH_MILLIS} ms with the session's cookie and redraws the
 * tables, so the page stays current without reloading. Polling rather than server-sent events: the
 * status is a few kilobytes, and polling needs no connection held open per operator.
 */
@WebServlet(urlPatterns = "/status")
public class StatusPageServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  static final int REFRESH_MILLIS = 2000;

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    String base = request.getContextPath();
    PrintWriter out = Page.open(request, response, "Status");
    out.printf(
        "<h1>Status</h1><p class=\"note\">Updated <span id=\"updated\">never</span>;"
            + " refreshes every %d s. <span id=\"status-error\" class=\"error\"></span></p>%n",
        REFRESH_MILLIS / 1000);
    out.println("<h2>Data centers</h2>");
    out.println(
        "<table id=\"sites\"><thead><tr><th>Site</th><th>State</th><th>Volumes</th>"
            + "<th>Cache dirty</th><th>NBD</th></tr></thead><tbody></tbody></table>");
    out.println("<h2>Copy volume groups</h2>");
    out.println(
        "<table id=\"groups\"><thead><tr><th>Volume</th><th>Owner</th><th>Transfer</th>"
            + "<th>Primary</th><th>Epoch</th><th>Members (storage epoch, lag)</th><th>Active"
            + " access</th></tr></thead><tbody></tbody></table>");
    out.printf(
        "<script src=\"%s/static/status.js\" data-api=\"%s/api/status\" data-refresh=\"%d\">"
            + "</script>%n",
        Html.escape(base), Html.escape(base), REFRESH_MILLIS);
    Page.close(out);
  }
}
