// PostgreSQL storage of budget releases; see pg_budget_repository.h.
#include "services/budget_data/pg/pg_budget_repository.h"

#include "absl/strings/str_cat.h"
#include "common/operators/pg_operator_store.h"
#include "common/pg_migrations.h"

namespace bkk::budget {
namespace {

const std::vector<Migration>& BudgetMigrations() {
  static const auto* kMigrations = new std::vector<Migration>{
      {1, "budget records of a dataset release", R"sql(
CREATE TABLE budget.releases (
  version      text PRIMARY KEY,
  imported_at  timestamptz NOT NULL DEFAULT now(),
  source       text NOT NULL,
  line_count   integer NOT NULL,
  total_baht   bigint NOT NULL,
  is_current   boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX releases_one_current ON budget.releases (is_current) WHERE is_current;
CREATE TABLE budget.release_files (
  release_version text NOT NULL REFERENCES budget.releases ON DELETE CASCADE,
  path        text NOT NULL,
  sha256      text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size_bytes  bigint NOT NULL,
  rows        integer NOT NULL,
  PRIMARY KEY (release_version, path)
);
CREATE TABLE budget.frameworks (
  kind smallint PRIMARY KEY, name text NOT NULL, first_year integer NOT NULL, last_year integer NOT NULL
);
CREATE TABLE budget.strategies (
  id text PRIMARY KEY, framework smallint NOT NULL REFERENCES budget.frameworks,
  ordinal integer NOT NULL, name text NOT NULL, side text NOT NULL, name_en text NOT NULL, issue text NOT NULL
);
CREATE TABLE budget.sub_dimensions (
  id text PRIMARY KEY, strategy_id text NOT NULL REFERENCES budget.strategies,
  ordinal integer NOT NULL, name text NOT NULL, description text NOT NULL
);
CREATE TABLE budget.sub_dimension_goals (
  sub_dimension_id text NOT NULL REFERENCES budget.sub_dimensions,
  ordinal integer NOT NULL, goal text NOT NULL, PRIMARY KEY (sub_dimension_id, ordinal)
);
CREATE TABLE budget.districts (
  id integer PRIMARY KEY CHECK (id BETWEEN 1 AND 50), name_th text NOT NULL, name_en text NOT NULL,
  zipcode text NOT NULL, office_agency text NOT NULL UNIQUE
);
CREATE TABLE budget.fiscal_years (
  fiscal_year integer PRIMARY KEY, total_budget_baht bigint NOT NULL CHECK (total_budget_baht >= 0),
  source text NOT NULL
);
CREATE TABLE budget.plan_aggregates (
  ordinal integer PRIMARY KEY, fiscal_year integer NOT NULL, strategy_id text NOT NULL,
  source_strategy text NOT NULL, sub_dimension text NOT NULL,
  plan_baht bigint NOT NULL, ordinance_baht bigint NOT NULL
);
CREATE TABLE budget.lines (
  line_id bigint PRIMARY KEY, fiscal_year integer NOT NULL, agency text NOT NULL,
  mission_type text NOT NULL, name text NOT NULL, category text NOT NULL,
  amount_baht bigint NOT NULL CHECK (amount_baht >= 0),
  strategy_id text NOT NULL DEFAULT '', sub_dimension_id text NOT NULL DEFAULT '',
  district_id integer NOT NULL DEFAULT 0, source_page integer NOT NULL, source_ref text NOT NULL
);
CREATE INDEX lines_year_agency ON budget.lines (fiscal_year, agency);
CREATE TABLE budget.district_totals (
  district_id integer NOT NULL, fiscal_year integer NOT NULL, topic text NOT NULL,
  total_baht bigint NOT NULL, topic_baht bigint NOT NULL,
  PRIMARY KEY (district_id, fiscal_year, topic)
);
CREATE TABLE budget.stated_totals (
  ordinal integer PRIMARY KEY, check_name text NOT NULL, stated_baht bigint NOT NULL
);
)sql"},
      {2, "each line's strategy source and confidence (budget/strategy-mapping-YYYY.csv); the release's Thai source",
       R"sql(
ALTER TABLE budget.releases ADD COLUMN source_th text NOT NULL DEFAULT '';
ALTER TABLE budget.lines
  ADD COLUMN strategy_confidence smallint NOT NULL DEFAULT 0 CHECK (strategy_confidence BETWEEN 0 AND 3),
  ADD COLUMN strategy_source text NOT NULL DEFAULT '';
)sql"},
      {3, "years as data (release.json): each line's source PDF, stated totals by year, each year's document",
       R"sql(
ALTER TABLE budget.lines ADD COLUMN source_document text NOT NULL DEFAULT '';
ALTER TABLE budget.stated_totals
  ADD COLUMN fiscal_year integer NOT NULL DEFAULT 0,
  ADD COLUMN file text NOT NULL DEFAULT '',
  ADD COLUMN file_row integer NOT NULL DEFAULT 0,
  ADD COLUMN source_file text NOT NULL DEFAULT '',
  ADD COLUMN source_page integer NOT NULL DEFAULT 0,
  ADD COLUMN note text NOT NULL DEFAULT '';
CREATE TABLE budget.year_documents (
  fiscal_year integer PRIMARY KEY, kind text NOT NULL, path text NOT NULL,
  title_th text NOT NULL, title_en text NOT NULL
);
)sql"},
  };
  return *kMigrations;
}

constexpr char kDataTables[] =
    "budget.sub_dimension_goals, budget.sub_dimensions, budget.strategies, budget.frameworks, "
    "budget.districts, budget.fiscal_years, budget.plan_aggregates, budget.lines, "
    "budget.district_totals, budget.stated_totals, budget.year_documents";

}  // namespace

absl::Status PgBudgetRepository::Migrate() { return RunMigrations(*pool_, "budget", BudgetMigrations()); }

absl::StatusOr<std::string> PgBudgetRepository::CurrentVersion() {
  std::string version;
  auto status = pool_->Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    auto r = tx.exec("SELECT version FROM budget.releases WHERE is_current");
    if (!r.empty()) version = r[0][0].as<std::string>();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return version;
}

absl::StatusOr<std::optional<Dataset>> PgBudgetRepository::LoadCurrent() {
  std::optional<Dataset> out;
  auto status = pool_->Run([&](pqxx::connection& c) {
    // One snapshot of the database for the whole read.
    pqxx::transaction<pqxx::isolation_level::repeatable_read, pqxx::readwrite_policy::read_only> tx(c);
    auto rel = tx.exec(
        "SELECT version, to_char(imported_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), source, "
        "source_th FROM budget.releases WHERE is_current");
    if (rel.empty()) return absl::OkStatus();
    Dataset ds;
    ds.version = rel[0][0].as<std::string>();
    ds.imported_at = rel[0][1].as<std::string>();
    ds.source.en = rel[0][2].as<std::string>();
    ds.source.th = rel[0][3].as<std::string>();
    for (const auto& r :
         tx.exec_params("SELECT path, sha256, size_bytes, rows FROM budget.release_files WHERE release_version = $1 "
                        "ORDER BY path",
                        ds.version)) {
      ds.files.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<int64_t>(), r[3].as<int32_t>()});
    }
    for (const auto& r : tx.exec("SELECT kind, name, first_year, last_year FROM budget.frameworks ORDER BY kind")) {
      Framework fw;
      fw.kind = static_cast<FrameworkKind>(r[0].as<int>());
      fw.name = r[1].as<std::string>();
      fw.first_year = r[2].as<int32_t>();
      fw.last_year = r[3].as<int32_t>();
      ds.frameworks.push_back(std::move(fw));
    }
    std::map<std::string, Strategy*> strategies;
    for (const auto& r : tx.exec("SELECT id, framework, name, side, name_en, issue FROM budget.strategies "
                                 "ORDER BY framework, ordinal")) {
      for (auto& fw : ds.frameworks) {
        if (static_cast<int>(fw.kind) != r[1].as<int>()) continue;
        fw.strategies.push_back({r[0].as<std::string>(),
                                 r[2].as<std::string>(),
                                 r[3].as<std::string>(),
                                 r[4].as<std::string>(),
                                 r[5].as<std::string>(),
                                 {}});
      }
    }
    for (auto& fw : ds.frameworks) {
      for (auto& s : fw.strategies) strategies[s.id] = &s;
    }
    std::map<std::string, SubDimension*> subs;
    for (const auto& r : tx.exec("SELECT id, strategy_id, name, description FROM budget.sub_dimensions "
                                 "ORDER BY strategy_id, ordinal")) {
      auto* s = strategies.at(r[1].as<std::string>());
      s->sub_dimensions.push_back({r[0].as<std::string>(), r[2].as<std::string>(), r[3].as<std::string>(), {}});
    }
    for (auto& [id, s] : strategies) {
      for (auto& d : s->sub_dimensions) subs[d.id] = &d;
    }
    for (const auto& r : tx.exec("SELECT sub_dimension_id, goal FROM budget.sub_dimension_goals "
                                 "ORDER BY sub_dimension_id, ordinal")) {
      subs.at(r[0].as<std::string>())->goals.push_back(r[1].as<std::string>());
    }
    for (const auto& r :
         tx.exec("SELECT id, name_th, name_en, zipcode, office_agency FROM budget.districts ORDER BY id")) {
      ds.districts.push_back({r[0].as<int32_t>(), r[1].as<std::string>(), r[2].as<std::string>(),
                              r[3].as<std::string>(), r[4].as<std::string>()});
    }
    for (const auto& r : tx.exec("SELECT fiscal_year, total_budget_baht, source FROM budget.fiscal_years ORDER BY 1")) {
      ds.year_totals.push_back({r[0].as<int32_t>(), r[1].as<int64_t>(), r[2].as<std::string>()});
    }
    for (const auto& r : tx.exec("SELECT fiscal_year, strategy_id, source_strategy, sub_dimension, plan_baht, "
                                 "ordinance_baht FROM budget.plan_aggregates ORDER BY ordinal")) {
      ds.plan_aggregates.push_back({r[0].as<int32_t>(), r[1].as<std::string>(), r[2].as<std::string>(),
                                    r[3].as<std::string>(), r[4].as<int64_t>(), r[5].as<int64_t>()});
    }
    for (const auto& r : tx.exec("SELECT line_id, fiscal_year, agency, mission_type, name, category, amount_baht, "
                                 "strategy_id, sub_dimension_id, district_id, source_page, source_ref, "
                                 "strategy_confidence, strategy_source, source_document FROM budget.lines "
                                 "ORDER BY line_id")) {
      BudgetLine l;
      l.line_id = r[0].as<int64_t>();
      l.fiscal_year = r[1].as<int32_t>();
      l.agency = r[2].as<std::string>();
      l.mission_type = r[3].as<std::string>();
      l.name = r[4].as<std::string>();
      l.category = r[5].as<std::string>();
      l.amount_baht = r[6].as<int64_t>();
      l.strategy_id = r[7].as<std::string>();
      l.sub_dimension_id = r[8].as<std::string>();
      l.district_id = r[9].as<int32_t>();
      l.source_page = r[10].as<int32_t>();
      l.source_ref = r[11].as<std::string>();
      l.strategy_confidence = static_cast<StrategyConfidence>(r[12].as<int>());
      l.strategy_source = r[13].as<std::string>();
      l.source_document = r[14].as<std::string>();
      ds.lines.push_back(std::move(l));
    }
    for (const auto& r : tx.exec("SELECT district_id, fiscal_year, topic, total_baht, topic_baht "
                                 "FROM budget.district_totals ORDER BY district_id, fiscal_year, topic")) {
      if (ds.district_totals.empty() || ds.district_totals.back().district_id != r[0].as<int32_t>() ||
          ds.district_totals.back().fiscal_year != r[1].as<int32_t>()) {
        ds.district_totals.push_back({r[0].as<int32_t>(), r[1].as<int32_t>(), r[3].as<int64_t>(), {}});
      }
      ds.district_totals.back().topic_baht[r[2].as<std::string>()] = r[4].as<int64_t>();
    }
    for (const auto& r : tx.exec("SELECT check_name, stated_baht, fiscal_year, file, file_row, source_file, "
                                 "source_page, note FROM budget.stated_totals ORDER BY ordinal")) {
      ds.stated_totals.push_back({r[0].as<std::string>(), r[1].as<int64_t>(), r[2].as<int32_t>(),
                                  r[3].as<std::string>(), r[4].as<int32_t>(), r[5].as<std::string>(),
                                  r[6].as<int32_t>(), r[7].as<std::string>()});
    }
    for (const auto& r :
         tx.exec("SELECT fiscal_year, kind, path, title_th, title_en FROM budget.year_documents ORDER BY 1")) {
      ds.documents.push_back({r[0].as<int32_t>(),
                              r[1].as<std::string>(),
                              r[2].as<std::string>(),
                              {r[3].as<std::string>(), r[4].as<std::string>()}});
    }
    out = std::move(ds);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<bool> PgBudgetRepository::ReplaceCurrent(const Dataset& ds, const operators::AuditEvent& audit) {
  bool changed = false;
  auto status = pool_->Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    // Serialise imports across replicas; readers keep the old rows until commit.
    tx.exec("SELECT pg_advisory_xact_lock(hashtext('bkk-budget-import'))");
    auto current = tx.exec("SELECT version FROM budget.releases WHERE is_current");
    operators::AppendAuditEvent(tx, audit);
    if (!current.empty() && current[0][0].as<std::string>() == ds.version) {
      tx.commit();  // only the audit event
      return absl::OkStatus();
    }
    tx.exec(std::string("TRUNCATE ") + kDataTables);
    for (const auto& fw : ds.frameworks) {
      tx.exec_params("INSERT INTO budget.frameworks VALUES ($1, $2, $3, $4)", static_cast<int>(fw.kind), fw.name,
                     fw.first_year, fw.last_year);
      int so = 0;
      for (const auto& s : fw.strategies) {
        tx.exec_params("INSERT INTO budget.strategies VALUES ($1, $2, $3, $4, $5, $6, $7)", s.id,
                       static_cast<int>(fw.kind), ++so, s.name, s.side, s.name_en, s.issue);
        int dor = 0;
        for (const auto& d : s.sub_dimensions) {
          tx.exec_params("INSERT INTO budget.sub_dimensions VALUES ($1, $2, $3, $4, $5)", d.id, s.id, ++dor, d.name,
                         d.description);
          int go = 0;
          for (const auto& g : d.goals) {
            tx.exec_params("INSERT INTO budget.sub_dimension_goals VALUES ($1, $2, $3)", d.id, ++go, g);
          }
        }
      }
    }
    for (const auto& d : ds.districts) {
      tx.exec_params("INSERT INTO budget.districts VALUES ($1, $2, $3, $4, $5)", d.id, d.name_th, d.name_en, d.zipcode,
                     d.office_agency);
    }
    for (const auto& y : ds.year_totals) {
      tx.exec_params("INSERT INTO budget.fiscal_years VALUES ($1, $2, $3)", y.fiscal_year, y.total_baht, y.source);
    }
    int ordinal = 0;
    for (const auto& a : ds.plan_aggregates) {
      tx.exec_params("INSERT INTO budget.plan_aggregates VALUES ($1, $2, $3, $4, $5, $6, $7)", ++ordinal, a.fiscal_year,
                     a.strategy_id, a.source_strategy, a.sub_dimension, a.plan_baht, a.ordinance_baht);
    }
    for (const auto& l : ds.lines) {
      tx.exec_params(
          "INSERT INTO budget.lines VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
          l.line_id, l.fiscal_year, l.agency, l.mission_type, l.name, l.category, l.amount_baht, l.strategy_id,
          l.sub_dimension_id, l.district_id, l.source_page, l.source_ref, static_cast<int>(l.strategy_confidence),
          l.strategy_source, l.source_document);
    }
    for (const auto& t : ds.district_totals) {
      for (const auto& [topic, amount] : t.topic_baht) {
        tx.exec_params("INSERT INTO budget.district_totals VALUES ($1, $2, $3, $4, $5)", t.district_id, t.fiscal_year,
                       topic, t.total_baht, amount);
      }
    }
    ordinal = 0;
    for (const auto& s : ds.stated_totals) {
      tx.exec_params("INSERT INTO budget.stated_totals VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)", ++ordinal, s.check,
                     s.stated_baht, s.fiscal_year, s.file, s.row, s.source_file, s.source_page, s.note);
    }
    for (const auto& d : ds.documents) {
      tx.exec_params("INSERT INTO budget.year_documents VALUES ($1, $2, $3, $4, $5)", d.fiscal_year, d.kind, d.path,
                     d.title.th, d.title.en);
    }
    int64_t total = 0;
    for (const auto& l : ds.lines) total += l.amount_baht;
    tx.exec("UPDATE budget.releases SET is_current = false WHERE is_current");
    tx.exec_params(
        "INSERT INTO budget.releases (version, source, line_count, total_baht, is_current, source_th) "
        "VALUES ($1, $2, $3, $4, true, $5) "
        "ON CONFLICT (version) DO UPDATE SET is_current = true, imported_at = now(), source_th = $5",
        ds.version, ds.source.en, static_cast<int>(ds.lines.size()), total, ds.source.th);
    tx.exec_params("DELETE FROM budget.release_files WHERE release_version = $1", ds.version);
    for (const auto& f : ds.files) {
      tx.exec_params("INSERT INTO budget.release_files VALUES ($1, $2, $3, $4, $5)", ds.version, f.path, f.sha256,
                     f.size_bytes, f.rows);
    }
    tx.commit();
    changed = true;
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return changed;
}

}  // namespace bkk::budget
