package org.roamstore.gateway.web.volumes;

import jakarta.ejb.EJBException;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.ConstraintViolationException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.roamstore.directory.access.AccessService;
import org.roamstore.directory.access.VolumeSummary;
import org.roamstore.directory.failure.Clipped;
import org.roamstore.directory.failure.DirectoryException;
import org.roamstore.directory.login.CallerLoginRequest;
import org.roamstore.directory.login.LoginResult;
import org.roamstore.directory.login.LoginService;
import org.roamstore.directory.model.NetworkInterface;
import org.roamstore.directory.topology.DirectoryStartup;
import org.roamstore.gateway.metrics.GatewayMetrics;
import org.roamstore.gateway.security.Csrf;
import org.roamstore.gateway.web.Html;
import org.roamstore.gateway.web.Page;

/**
 * {@code /volumes}: my virtual volumes and where I am; sending the form logs in to the chosen
 * volume (as the signed-in caller, no second password) and shows the result page.
 */
@WebServlet(urlPatterns = "/volumes")
public class VolumesServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  /** The form's value for "find my network interface from my address". */
  static final String DETECT = "";

  @Inject private transient AccessService access;
  @Inject private transient LoginService logins;
  @Inject private transient DirectoryStartup directory;
  @Inject private transient GatewayMetrics metrics;

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    page(request, response, request.getParameter("volume"), request.getParameter("via"), null);
  }

  @Override
  protected void doPost(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    if (!Csrf.valid(request)) {
      Page.formExpired(request, response);
      return;
    }
    String volume = request.getParameter("volume");
    String via = request.getParameter("networkInterface");
    if (volume == null || volume.isBlank()) {
      page(request, response, null, via, "Choose a volume.");
      return;
    }
    long started = System.nanoTime();
    LoginResult result;
    try {
      result =
          logins.loginAsCaller(
              new CallerLoginRequest(
                  volume,
                  via == null || via.isBlank() ? null : via,
                  request.getRemoteAddr(),
                  request.getParameter("force") != null));
    } catch (DirectoryException | EJBException | ConstraintViolationException e) {
      response.setStatus(statusOf(e));
      page(request, response, volume, via, describe(e));
      return;
    }
    metrics.loggedIn(result, Duration.ofNanos(System.nanoTime() - started));
    SessionAccess.of(request).add(IssuedAccess.of(result));
    // Post/redirect/get: reloading the result page does not log in again.
    response.sendRedirect(
        request.getContextPath()
            + "/access?volume="
            + URLEncoder.encode(result.volume(), StandardCharsets.UTF_8));
  }

  private void page(
      HttpServletRequest request,
      HttpServletResponse response,
      String chosenVolume,
      String chosenVia,
      String error)
      throws IOException {
    String user = request.getUserPrincipal().getName();
    List<VolumeSummary> volumes = access.volumesOf(user);
    List<NetworkInterface> interfaces = directory.networkInterfaces();
    Optional<NetworkInterface> detected = detect(request.getRemoteAddr(), interfaces);

    PrintWriter out = Page.open(request, response, "My volumes");
    out.println("<h1>My volumes</h1>");
    if (error != null) {
      out.printf("<p class=\"error\" id=\"error\">%s</p>%n", Html.escape(error));
    }
    if (volumes.isEmpty()) {
      out.println(
          "<p id=\"no-volumes\">You have no volumes yet; an administrator creates them.</p>");
      Page.close(out);
      return;
    }
    out.printf(
        "<form method=\"post\" action=\"%s/volumes\" id=\"choose\">%n", request.getContextPath());
    out.println(Page.csrfField(request));
    out.println(
        "<table><thead><tr><th></th><th>Volume</th><th>Size</th><th>Copies at</th>"
            + "<th>Primary now</th><th>Transfer</th></tr></thead><tbody>");
    boolean first = true;
    for (VolumeSummary v : volumes) {
      boolean checked = chosenVolume == null ? first : chosenVolume.equals(v.name());
      first = false;
      out.printf(
          "<tr><td><input type=\"radio\" name=\"volume\" id=\"volume-%1$s\" value=\"%1$s\"%2$s></td>"
              + "<td><label for=\"volume-%1$s\">%1$s</label></td><td>%3$s</td><td>%4$s</td>"
              + "<td>%5$s</td><td>%6$s</td></tr>%n",
          Html.escape(v.name()),
          checked ? " checked" : "",
          size(v.sizeBytes()),
          Html.escape(String.join(", ", v.dataCenters())),
          Html.escape(v.primary()),
          Html.escape(v.transferType()));
    }
    out.println("</tbody></table>");
    out.println(
        "<label>Where are you? <select name=\"networkInterface\" id=\"network-interface\">");
    out.printf(
        "<option value=\"%s\"%s>%s</option>%n",
        DETECT,
        chosenVia == null || chosenVia.isBlank() ? " selected" : "",
        Html.escape(
            detected
                .map(
                    n ->
                        "Detected from your address "
                            + request.getRemoteAddr()
                            + ": "
                            + n.displayName())
                .orElse(
                    "Detect from your address "
                        + request.getRemoteAddr()
                        + " (no network interface covers it: choose one)")));
    for (NetworkInterface n : interfaces) {
      out.printf(
          "<option value=\"%s\"%s>%s</option>%n",
          Html.escape(n.name()),
          n.name().equals(chosenVia) ? " selected" : "",
          Html.escape(n.displayName() + " (" + String.join(", ", n.cidrs()) + ")"));
    }
    out.println("</select></label>");
    out.println(
        "<label class=\"check\"><input type=\"checkbox\" name=\"force\" id=\"force\"> Take over"
            + " even if the current primary's data center is down (writes it has not sent may be"
            + " lost)</label>");
    out.println("<button type=\"submit\" id=\"log-in-to-volume\">Log in to the volume</button>");
    out.println("</form>");
    Page.close(out);
  }

  static Optional<NetworkInterface> detect(String address, List<NetworkInterface> interfaces) {
    if (address == null || !address.matches("[0-9A-Fa-f:.]+")) {
      return Optional.empty();
    }
    try {
      InetAddress inet = InetAddress.getByName(address);
      return interfaces.stream().filter(n -> n.covers(inet)).findFirst();
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  static String size(long bytes) {
    if (bytes >= 1L << 30 && bytes % (1L << 30) == 0) {
      return (bytes >> 30) + " GiB";
    }
    if (bytes >= 1L << 20) {
      return Math.round(bytes / (double) (1L << 20)) + " MiB";
    }
    return (bytes >> 10) + " KiB";
  }

  private static int statusOf(RuntimeException e) {
    DirectoryException d = directoryCause(e);
    return d == null ? 400 : org.roamstore.gateway.rest.ErrorBody.status(d.code());
  }

  private static String describe(RuntimeException e) {
    DirectoryException d = directoryCause(e);
    if (d != null) {
      return d.getMessage() + " (" + d.code() + ")";
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConstraintViolationException v) {
        return "Not valid: "
            + v.getConstraintViolations().stream()
                .map(c -> c.getPropertyPath() + " " + c.getMessage())
                .toList();
      }
    }
    return "The login failed: " + Clipped.text(e);
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
