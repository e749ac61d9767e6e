// Versioned schema migrations, applied in order inside one transaction under
// an advisory lock, so several replicas starting at once migrate once.
// Each service owns one schema and its own list; applied versions are kept in
// <schema>.schema_migrations.
#ifndef BKK_SERVICES_COMMON_PG_MIGRATIONS_H_
#define BKK_SERVICES_COMMON_PG_MIGRATIONS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/pg_pool.h"

namespace bkk {

struct Migration {
  int version;
  std::string description;
  std::string sql;
};

// Applies the migrations whose version is not yet recorded. Migrations are
// never edited once released: add a new version instead.
absl::Status RunMigrations(PgPool& pool, const std::string& schema, const std::vector<Migration>& migrations);

}  // namespace bkk

#endif  // BKK_SERVICES_COMMON_PG_MIGRATIONS_H_
