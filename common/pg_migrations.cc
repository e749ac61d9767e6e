// Schema migrations; see pg_migrations.h.
#include "common/pg_migrations.h"

#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace bkk {

absl::Status RunMigrations(PgPool& pool, const std::string& schema, const std::vector<Migration>& migrations) {
  return pool.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    // One migrator at a time per schema, across every replica.
    tx.exec_params("SELECT pg_advisory_xact_lock(hashtext($1))", "bkk-migrate-" + schema);
    const std::string table = tx.quote_name(schema) + ".schema_migrations";
    tx.exec("CREATE SCHEMA IF NOT EXISTS " + tx.quote_name(schema));
    tx.exec("CREATE TABLE IF NOT EXISTS " + table +
            " (version integer PRIMARY KEY, description text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())");
    for (const auto& m : migrations) {
      auto done = tx.exec_params("SELECT 1 FROM " + table + " WHERE version = $1", m.version);
      if (!done.empty()) continue;
      tx.exec(m.sql);
      tx.exec_params("INSERT INTO " + table + " (version, description) VALUES ($1, $2)", m.version, m.description);
      LogInfo("migration_applied",
              {{"schema", schema}, {"version", std::to_string(m.version)}, {"description", m.description}});
    }
    tx.commit();
    return absl::OkStatus();
  });
}

}  // namespace bkk
