/**
 * The REST API of the access gateway (JSON over JAX-RS, and a plain servlet for the login, see
 * {@link org.roamstore.gateway.rest.LoginServlet}), under {@code /api}: {@code info} and {@code
 * sites} for anyone, {@code login} for users (credentials in the body), {@code admin/*} for the
 * role {@code admin} over HTTP Basic. Every refusal is {@code {"error": {"code", "message",
 * "details"}}} with a stable code.
 */
package org.roamstore.gateway.rest;
