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
import org.roamstore.storage.api.Destinations;

/** The gateway's home page: what Roamstore is, its data centers, and links to what exists. */
@WebServlet(urlPatterns = "")
public class HomeServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  @Inject private transient DirectoryStartup directory;

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    String base = request.getContextPath();
    PrintWriter out = Page.open(request, response, "Roamstore");
    out.println("<h1>Roamstore</h1>");
    out.println(
        "<p>Your block volumes, close to wherever you are. Every data center holds a real copy of"
            + " your volume; when you log in, the one nearest to you becomes the primary, so your"
            + " reads and writes stay local while remote copy keeps the others current.</p>");
    out.printf(
        "<p><a href=\"%s/volumes\" id=\"start\">Sign in and choose a volume</a></p>%n", base);
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
    out.println("<li><a href=\"/openapi\">/openapi</a>: the REST API, described (OpenAPI)</li>");
    out.printf("<li><a href=\"%s/api/info\">/api/info</a>: this installation</li>%n", base);
    out.printf("<li><a href=\"%s/api/sites\">/api/sites</a>: data centers</li>%n", base);
    out.printf(
        "<li><a href=\"%s/api/network-interfaces\">/api/network-interfaces</a>: the network"
            + " interfaces a login may name</li>%n",
        base);
    out.println(
        "<li><a href=\"/health/ready\">/health/ready</a>, <a href=\"/metrics\">/metrics</a>:"
            + " health and metrics (MicroProfile)</li>");
    out.printf(
        "<li>Jakarta Messaging / AMQP 1.0: requests on the queue <code>%s</code>, events on the"
            + " topic <code>%s</code></li>%n",
        Destinations.DIRECTORY_REQUESTS, Destinations.EVENTS);
    out.println("</ul>");
    Page.close(out);
  }
}
