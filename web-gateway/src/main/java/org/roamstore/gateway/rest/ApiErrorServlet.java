package org.roamstore.gateway.rest;

import jakarta.json.JsonObject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Map;
import org.roamstore.directory.json.DirectoryJson;
import org.roamstore.gateway.web.Page;

/**
 * The container's own refusals (401 and 403 of web.xml's security constraints): in the API's JSON
 * error shape under {@code /api}, as a page elsewhere. A servlet rather than static files, because
 * the error dispatch keeps the request's method and the default servlet serves no body for PUT or
 * DELETE.
 */
@WebServlet(urlPatterns = "/errors/*")
public class ApiErrorServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    Object status = request.getAttribute("jakarta.servlet.error.status_code");
    int code = status instanceof Integer i ? i : response.getStatus();
    Object uri = request.getAttribute("jakarta.servlet.error.request_uri");
    String path =
        uri == null
            ? ""
            : uri.toString()
                .substring(Math.min(uri.toString().length(), request.getContextPath().length()));
    if (!path.startsWith("/api")) {
      page(request, response, code); // a person's page, e.g. /status without the role admin
      return;
    }
    JsonObject body =
        switch (code) {
          case 401 ->
              DirectoryJson.error(
                  "AUTHENTICATION_FAILED",
                  "this needs the credentials of a directory user (HTTP Basic, or sign in)",
                  Map.of());
          case 403 -> DirectoryJson.error("FORBIDDEN", "this needs the role admin", Map.of());
          default -> DirectoryJson.error("HTTP_" + code, "refused", Map.of());
        };
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    response.getWriter().write(body.toString());
  }

  private static void page(HttpServletRequest request, HttpServletResponse response, int code)
      throws IOException {
    PrintWriter out = Page.open(request, response, code == 403 ? "Not allowed" : "Sign in");
    if (code == 403) {
      out.println(
          "<h1>Not allowed</h1><p class=\"error\" id=\"error\">This page is for operators (role"
              + " admin). You are signed in as someone else.</p>");
    } else {
      out.printf(
          "<h1>Sign in first</h1><p><a href=\"%s/login\">Sign in</a></p>%n",
          request.getContextPath());
    }
    Page.close(out);
  }
}
