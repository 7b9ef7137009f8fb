package org.roamstore.directory.topology;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import org.hibernate.engine.jdbc.connections.spi.JdbcConnectionAccess;
import org.hibernate.engine.jdbc.spi.JdbcServices;
import org.hibernate.tool.schema.internal.HibernateSchemaManagementTool;
import org.hibernate.tool.schema.spi.SchemaManagementException;
import org.hibernate.tool.schema.spi.SchemaMigrator;

/**
 * Hibernate's own schema tool, with its schema update run under {@link DirectoryLock#SCHEMA}: when
 * several instances start at once on one empty PostgreSQL directory, one creates the tables and the
 * others then find them, instead of all racing through the same {@code create table} statements
 * (named in persistence.xml as {@code hibernate.schema_management_tool}).
 */
public class LockingSchemaManagementTool extends HibernateSchemaManagementTool {
  /** Long enough for another instance's schema update on a busy machine. */
  private static final Duration PATIENCE = Duration.ofMinutes(5);

  @Override
  public SchemaMigrator getSchemaMigrator(Map<String, Object> options) {
    SchemaMigrator migrator = super.getSchemaMigrator(options);
    return (metadata, execution, filter, target) -> {
      JdbcConnectionAccess access =
          getServiceRegistry().getService(JdbcServices.class).getBootstrapJdbcConnectionAccess();
      Connection connection;
      try {
        connection = access.obtainConnection();
      } catch (SQLException e) {
        throw new SchemaManagementException("no connection for the directory lock", e);
      }
      try (DirectoryLock lock = DirectoryLock.acquire(connection, DirectoryLock.SCHEMA, PATIENCE)) {
        migrator.doMigration(metadata, execution, filter, target);
      } catch (SQLException e) {
        throw new SchemaManagementException("the directory's schema lock failed", e);
      } finally {
        try {
          access.releaseConnection(connection);
        } catch (SQLException e) {
          // the lock is already released (or dies with the connection); nothing to undo
        }
      }
    };
  }
}
