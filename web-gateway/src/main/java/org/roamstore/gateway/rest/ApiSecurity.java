package org.roamstore.gateway.rest;

import jakarta.annotation.security.DeclareRoles;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The roles the gateway knows. Authentication is {@link
 * org.roamstore.gateway.security.GatewayAuthenticationMechanism} (HTTP Basic for programs, the
 * sign-in form for people) over the directory's identity store; WEB-INF/web.xml says which paths
 * need which role. {@code POST /api/login} takes its credentials in the body, because a login is a
 * request for access to a volume, not a session of the gateway.
 */
@ApplicationScoped
@DeclareRoles({"admin", "user"})
public class ApiSecurity {}
