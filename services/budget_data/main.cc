// budget-data: serve the budget API, or import/migrate as an operator.
//   budget-data [serve]        gRPC server (health, reflection, SIGTERM drain)
//   budget-data import DIR     validate DIR and make it the current release
//   budget-data migrate        create or upgrade the database schema
//   budget-data manifest DIR   record DIR's current checksums in DIR/release.json
// Settings come from the environment (or --flags); see --help.
#include <atomic>
#include <fstream>
#include <iostream>
#include <thread>

#include "common/config.h"
#include "common/grpc_server.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/operators/operator_auth.h"
#include "common/operators/pg_operator_store.h"
#include "common/periodic_task.h"
#include "common/service_main.h"
#include "services/budget_data/grpc/budget_grpc_service.h"
#include "services/budget_data/pg/pg_budget_repository.h"

namespace {

std::vector<bkk::SettingSpec> Specs(const std::string& command) {
  bool serving = command == "serve";
  return {
      {"BKK_PG_URL", "PostgreSQL connection URL of the budget database", true, "", true},
      {"BKK_LISTEN", "gRPC listen address (host:port)", false, "127.0.0.1:50051"},
      {"BKK_ADMIN_TOKEN",
       "bootstrap token: acts as an operator with every role only while no operator exists; empty switches it off",
       false, "", true},
      {"BKK_PG_POOL_SIZE", "PostgreSQL connections", false, "4"},
      {"BKK_REFRESH_SECONDS", "how often to look for a release imported elsewhere", false, "5"},
      {"BKK_DRAIN_SECONDS", "how long SIGTERM waits for in-flight calls", false, "10"},
      bkk::AdminListenSetting(),
  };
}

// After an intended change to a dataset's files: the importer refuses any
// file whose checksum differs from release.json's.
int RecordChecksums(const std::string& dir) {
  if (dir.empty()) {
    return bkk::ExitWithError("budget-data", absl::InvalidArgumentError("usage: budget-data manifest DIR"));
  }
  auto files = bkk::budget::ReadDatasetDir(dir);
  if (!files.ok()) return bkk::ExitWithError("budget-data", files.status());
  if (auto s = bkk::budget::RefreshManifestChecksums(&*files); !s.ok()) return bkk::ExitWithError("budget-data", s);
  std::ofstream out(dir + "/" + bkk::budget::kReleaseManifestPath, std::ios::binary | std::ios::trunc);
  out << files->at(bkk::budget::kReleaseManifestPath);
  if (!out.flush()) {
    return bkk::ExitWithError("budget-data", absl::InternalError("cannot write " + dir + "/release.json"));
  }
  std::cout << "manifest: " << dir << "/release.json lists " << files->size() - 1 << " files with their sha256\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  bkk::BlockTerminationSignals();
  bkk::SetLogService("budget-data");
  std::string command = argc > 1 && argv[1][0] != '-' ? argv[1] : "serve";
  if (bkk::PrintHelpIfAsked(argc, argv, "budget-data [serve | import DIR | migrate | manifest DIR]", Specs("serve"))) {
    return 0;
  }
  if (command == "manifest") return RecordChecksums(argc == 3 ? argv[2] : "");
  auto config = bkk::Config::Load(Specs(command), argc, argv);
  if (!config.ok()) return bkk::ExitWithError("budget-data", config.status());
  auto pool_size = config->GetInt("BKK_PG_POOL_SIZE");
  auto refresh = config->GetInt("BKK_REFRESH_SECONDS");
  auto drain = config->GetInt("BKK_DRAIN_SECONDS");
  for (const auto* v : {&pool_size, &refresh, &drain}) {
    if (!v->ok()) return bkk::ExitWithError("budget-data", v->status());
  }
  bkk::PgPool pool(config->Get("BKK_PG_URL"), static_cast<int>(*pool_size));
  bkk::budget::PgBudgetRepository repository(&pool);
  bkk::operators::PgOperatorStore operator_store(&pool);
  if (auto s = operator_store.Migrate(); !s.ok()) return bkk::ExitWithError("budget-data", s);
  if (auto s = repository.Migrate(); !s.ok()) return bkk::ExitWithError("budget-data", s);
  bkk::operators::OperatorAuth auth(&operator_store, config->Get("BKK_ADMIN_TOKEN"));
  bkk::budget::BudgetCore core(&repository);

  if (command == "migrate") return 0;
  if (command == "import") {
    if (config->positional().size() != 2) {
      return bkk::ExitWithError("budget-data", absl::InvalidArgumentError("usage: budget-data import DIR"));
    }
    auto files = bkk::budget::ReadDatasetDir(config->positional()[1]);
    if (!files.ok()) return bkk::ExitWithError("budget-data", files.status());
    auto result = core.Import(*files, false, bkk::operators::OperatorAuth::CommandLine(),
                              [](const std::string& step) { std::cout << "import: " << step << "\n"; });
    if (!result.ok()) return bkk::ExitWithError("budget-data", result.status());
    std::cout << "import: release " << result->version << (result->changed ? " is now current" : " was already current")
              << " (" << result->line_count << " lines, " << result->total_baht << " baht, " << result->checks_passed
              << " stated totals checked)\n";
    return 0;
  }
  if (command != "serve")
    return bkk::ExitWithError("budget-data", absl::InvalidArgumentError("unknown command " + command + "; see --help"));

  if (auto s = core.Refresh(); !s.ok()) return bkk::ExitWithError("budget-data", s);
  if (!core.snapshot()) bkk::LogWarning("no_release", {{"hint", "run `budget-data import DIR`"}});
  auto metrics = bkk::ServiceMetrics::Start(config->Get("BKK_ADMIN_LISTEN"));
  if (!metrics.ok()) return bkk::ExitWithError("budget-data", metrics.status());
  (*metrics)->AddPools({{"postgresql", &pool.stats()}});
  auto show_release = [&] {
    if (auto snap = core.snapshot()) (*metrics)->SetRelease(snap->version());
  };
  show_release();
  bkk::budget::BudgetGrpcService service(&core, &auth);
  bkk::GrpcServerOptions options;
  options.listen_address = config->Get("BKK_LISTEN");
  options.drain = std::chrono::seconds(*drain);
  options.metrics = metrics->get();
  auto server = bkk::GrpcServer::Start(options, {&service}, {"bkkbudget.budget.v1.BudgetService"});
  if (!server.ok()) return bkk::ExitWithError("budget-data", server.status());

  // Follow releases imported by an operator or another replica.
  bkk::PeriodicTask refresher([&] {
    if (auto s = core.Refresh(); !s.ok()) bkk::LogWarning("refresh_failed", {{"error", std::string(s.message())}});
    show_release();
    return std::chrono::milliseconds(*refresh * 1000);
  });
  refresher.Start();
  std::cout << "budget-data listening on port " << (*server)->port() << std::endl;
  bkk::WaitForTerminationSignal();
  (*server)->Shutdown();
  refresher.Stop();
  return 0;
}
