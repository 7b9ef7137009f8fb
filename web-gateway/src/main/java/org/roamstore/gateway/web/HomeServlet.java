package org.roamstore.gateway.web;

import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import org.roamstore.directory.model.DataCenter;
import org.roamstore.directory.topology.DirectoryStartup;

/** The gateway's home page: what Roamstore is, its data centers, and links to what exists. */
@WebServlet(urlPatterns = "")
public class HomeServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  @Inject private transient DirectoryStartup directory;

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    response.setContentType("text/html;charset=UTF-8");
    String base = request.getContextPath();
    PrintWriter out = response.getWriter();
    out.println("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">");
    out.println("<title>Roamstore</title>");
    out.println(
        "<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;"
            + "padding:0 1rem;color:#222}table{border-collapse:collapse}"
            + "td,th{padding:.3rem .8rem;border-bottom:1px solid #ddd;text-align:left}</style>");
    out.println("</head><body>");
    out.println("<h1>Roamstore</h1>");
    out.println(
        "<p>Your block volumes, close to wherever you are. Every data center holds a real copy of"
            + " your volume; when you log in, the one nearest to you becomes the primary, so your"
            + " reads and writes stay local while remote copy keeps the others current.</p>");
    out.println(
        "<h2>Data centers</h2><table><tr><th>Site</th><th>Storage system</th>"
            + "<th>Position</th><th>State</th></tr>");
    for (DataCenter site : directory.dataCenters()) {
      out.printf(
          "<tr><td>%s</td><td>%s</td><td>%.2f, %.2f</td><td>%s</td></tr>%n",
          Html.escape(site.displayName()),
          Html.escape(site.storageSystem()),
          site.position().latitude(),
          site.position().longitude(),
          site.isUp() ? "up" : "down");
    }
    out.println("</table>");
    out.println("<h2>For programs</h2><ul>");
    out.printf("<li><a href=\"%s/api/info\">/api/info</a>: this installation</li>%n", base);
    out.printf("<li><a href=\"%s/api/sites\">/api/sites</a>: data centers</li>%n", base);
    out.println("</ul></body></html>");
  }
}
