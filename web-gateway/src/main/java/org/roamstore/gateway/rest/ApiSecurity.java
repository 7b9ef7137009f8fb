package org.roamstore.gateway.rest;

import jakarta.annotation.security.DeclareRoles;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.security.enterprise.authentication.mechanism.http.BasicAuthenticationMechanismDefinition;

/**
 * HTTP Basic against the directory's users (its identity store lives in ejb-directory). Only {@code
 * /api/admin/*} demands it (WEB-INF/web.xml); the login takes its credentials in the body, because
 * a login is a request for access to a volume, not a session of the gateway.
 */
@ApplicationScoped
@BasicAuthenticationMechanismDefinition(realmName = "roamstore")
@DeclareRoles({"admin", "user"})
public class ApiSecurity {}
