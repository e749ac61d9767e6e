// voting: PB rounds, proposals and durable ballots over gRPC.
//   voting [serve]   gRPC server (health, reflection, SIGTERM drains ballots)
//   voting migrate   create or upgrade the `voting` and `operators` schemas
//   voting operator add NAME --role ROLE[,ROLE]   prints the new key once
//   voting operator revoke NAME | voting operator list
//   voting pabulib-check FILE...   reproduce real elections' funded sets
// Settings come from the environment (or --flags); see --help.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/config.h"
#include "common/grpc_server.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/operators/operator_auth.h"
#include "common/operators/pg_operator_store.h"
#include "common/periodic_task.h"
#include "common/service_main.h"
#include "services/voting/core/pabulib_check.h"
#include "services/voting/grpc/tally_watch.h"
#include "services/voting/grpc/voting_grpc_service.h"
#include "services/voting/grpc/voting_metrics.h"
#include "services/voting/pg/pg_voting_repository.h"
#include "services/voting/redis/redis_rate_limiter.h"
#include "services/voting/redis/redis_tallies.h"
#include "services/voting/redis/tally_change_feed.h"

namespace {

// Serving needs everything; `migrate` and `operator` only the database.
std::vector<bkk::SettingSpec> Specs(const std::string& command) {
  const bool serving = command == "serve";
  std::vector<bkk::SettingSpec> specs{
      {"BKK_PG_URL", "PostgreSQL URL of the voting database", true, "", true},
      {"BKK_REDIS_URL", "Redis URL for tallies and rate limits (redis://host:port)", serving, ""},
      {"BKK_ADMIN_TOKEN",
       "bootstrap token: acts as an operator with every role only while no operator exists (to create the first); "
       "empty switches it off",
       false, "", true},
      {"BKK_VOTER_KEY", "secret (32+ bytes) keying voter-ID hashes and voter tokens", serving, "", true},
      {"BKK_SESSION_MINUTES", "how long a console session lasts", false, "120"},
      {"BKK_LISTEN", "gRPC listen address (host:port)", false, "127.0.0.1:50053"},
      {"BKK_PG_POOL_SIZE", "PostgreSQL connections", false, "8"},
      {"BKK_REDIS_POOL_SIZE", "Redis connections", false, "16"},
      {"BKK_REDIS_PREFIX", "prefix of every tally key", false, "bkk:tally"},
      {"BKK_BATCH_MAX", "most ballots per group commit", false, "256"},
      {"BKK_BATCH_WAIT_US", "how long a group commit waits to fill (microseconds)", false, "200"},
      {"BKK_TALLY_INTERVAL_MS", "how often Redis tallies are checked against PostgreSQL", false, "100"},
      {"BKK_TALLY_PUSH_MS", "live tallies: at most one update per district this often", false, "250"},
      {"BKK_TALLY_RECHECK_MS", "live tallies: watched districts are re-read this often even without news", false,
       "5000"},
      {"BKK_RATE_VOTER_PER_MIN", "ballot attempts per voter token a minute", false, "20"},
      {"BKK_RATE_ADDRESS_PER_MIN", "ballot attempts per client address a minute", false, "600"},
      {"BKK_DRAIN_SECONDS", "how long SIGTERM waits for in-flight calls", false, "15"},
      bkk::AdminListenSetting(),
      {"BKK_ORDINANCE_CSV",
       "the budget ordinance's items CSV: its agencies are the units projects may be assigned to (empty: any name)",
       false, ""},
  };
  if (command == "operator") {
    specs.push_back({"BKK_ROLE",
                     "roles of `operator add`: moderator, round-admin, data-admin, tracker (comma-separated)", false,
                     ""});
  }
  return specs;
}

// `voting operator add|revoke|list`: the operators' only door besides the
// bootstrap token. Keys are printed once; the database keeps their hash.
int OperatorCommand(bkk::operators::OperatorAuth& auth, const std::vector<std::string>& args,
                    const std::string& roles_flag) {
  namespace ops = bkk::operators;
  const std::string verb = args.size() > 1 ? args[1] : "";
  if (verb == "list" && args.size() == 2) {
    auto list = auth.store()->ListOperators();
    if (!list.ok()) return bkk::ExitWithError("voting", list.status());
    for (const auto& op : *list)
      std::cout << op.name << "\t" << ops::RoleNames(op.roles) << "\t" << op.created_at << "\n";
    return 0;
  }
  if (verb == "revoke" && args.size() == 3) {
    auto s = auth.RevokeOperator(args[2], ops::OperatorAuth::CommandLine());
    if (!s.ok()) return bkk::ExitWithError("voting", s);
    std::cout << "revoked " << args[2] << "; its key and sessions no longer work\n";
    return 0;
  }
  if (verb == "add" && args.size() == 3) {
    std::vector<ops::Role> roles;
    for (absl::string_view name : absl::StrSplit(roles_flag, ',', absl::SkipWhitespace())) {
      auto role = ops::ParseRole(absl::StripAsciiWhitespace(name));
      if (!role) {
        return bkk::ExitWithError(
            "voting", absl::InvalidArgumentError(absl::StrCat(
                          "unknown role \"", name, "\"; use moderator, round-admin, data-admin or tracker")));
      }
      roles.push_back(*role);
    }
    auto added = auth.AddOperator(args[2], roles, ops::OperatorAuth::CommandLine());
    if (!added.ok()) return bkk::ExitWithError("voting", added.status());
    std::cout << added->second << "\n";
    std::cerr << "operator " << added->first.name << " (" << ops::RoleNames(added->first.roles)
              << ") added; the key above is shown only now: keep it secret\n";
    return 0;
  }
  return bkk::ExitWithError(
      "voting", absl::InvalidArgumentError("usage: voting operator add NAME --role ROLE[,ROLE] | revoke NAME | list"));
}

// `voting pabulib-check FILE...`: one line per file, then the totals; exit 1
// if any file differs. Needs no database: each file gets a throwaway
// in-memory service.
int PabulibCheckCommand(int argc, char** argv) {
  std::vector<bkk::voting::PabulibCheck> checks;
  for (int i = 2; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) return bkk::ExitWithError("voting", absl::NotFoundError(absl::StrCat("cannot read ", argv[i])));
    const std::string name = std::filesystem::path(argv[i]).filename().string();
    checks.push_back(bkk::voting::CheckPabulibElection(name, text.str()));
    std::cout << bkk::voting::FormatCheck(checks.back()) << std::endl;
  }
  if (checks.empty()) {
    return bkk::ExitWithError("voting", absl::InvalidArgumentError("usage: voting pabulib-check FILE.pb..."));
  }
  std::cout << bkk::voting::FormatCheckTotals(checks) << "\n";
  for (const auto& c : checks) {
    if (c.verdict == bkk::voting::PabulibCheck::Verdict::kDiffers) return 1;
  }
  return 0;
}

// The units projects may be assigned to; none (any name) without a file.
absl::StatusOr<bkk::voting::BudgetUnits> LoadBudgetUnits(const std::string& path) {
  if (path.empty()) return bkk::voting::BudgetUnits();
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return absl::NotFoundError("BKK_ORDINANCE_CSV: cannot read " + path + "; give the ordinance items CSV");
  auto units = bkk::voting::BudgetUnitsFromOrdinanceCsv(text.str());
  if (!units.ok())
    return absl::InvalidArgumentError("BKK_ORDINANCE_CSV " + path + ": " + std::string(units.status().message()));
  return units;
}

}  // namespace

int main(int argc, char** argv) {
  bkk::BlockTerminationSignals();
  bkk::SetLogService("voting");
  bkk::RaiseOpenFileLimit();
  const std::string command = argc > 1 && argv[1][0] != '-' ? argv[1] : "serve";
  if (bkk::PrintHelpIfAsked(argc, argv,
                            "voting [serve | migrate | operator add NAME --role ROLE | operator revoke NAME | "
                            "pabulib-check FILE...]",
                            Specs("operator"))) {
    return 0;
  }
  if (command == "pabulib-check") return PabulibCheckCommand(argc, argv);
  if (command != "serve" && command != "migrate" && command != "operator") {
    return bkk::ExitWithError("voting", absl::InvalidArgumentError("unknown command " + command + "; see --help"));
  }
  auto config = bkk::Config::Load(Specs(command), argc, argv);
  if (!config.ok()) return bkk::ExitWithError("voting", config.status());
  std::map<std::string, int64_t> n;
  for (const char* key :
       {"BKK_PG_POOL_SIZE", "BKK_REDIS_POOL_SIZE", "BKK_BATCH_MAX", "BKK_BATCH_WAIT_US", "BKK_TALLY_INTERVAL_MS",
        "BKK_TALLY_PUSH_MS", "BKK_TALLY_RECHECK_MS", "BKK_RATE_VOTER_PER_MIN", "BKK_RATE_ADDRESS_PER_MIN",
        "BKK_DRAIN_SECONDS", "BKK_SESSION_MINUTES"}) {
    auto v = config->GetInt(key);
    if (!v.ok()) return bkk::ExitWithError("voting", v.status());
    n[key] = *v;
  }
  if (n["BKK_SESSION_MINUTES"] < 1 || n["BKK_SESSION_MINUTES"] > 24 * 60) {
    return bkk::ExitWithError("voting", absl::InvalidArgumentError("BKK_SESSION_MINUTES must be 1-1440"));
  }

  // Ballots are acknowledged only once durable, whatever the database's default.
  bkk::PgPool pg(config->Get("BKK_PG_URL"), static_cast<int>(n["BKK_PG_POOL_SIZE"]), "SET synchronous_commit = on");
  bkk::voting::PgVotingRepository store(&pg);
  bkk::operators::PgOperatorStore operator_store(&pg);
  absl::Status migrated;
  for (int attempt = 0; attempt < 30; ++attempt) {
    migrated = operator_store.Migrate();
    if (migrated.ok()) migrated = store.Migrate();
    if (migrated.code() != absl::StatusCode::kUnavailable) break;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  if (!migrated.ok()) return bkk::ExitWithError("voting", migrated);
  if (command == "migrate") return 0;
  bkk::operators::OperatorAuth auth(&operator_store, config->Get("BKK_ADMIN_TOKEN"),
                                    absl::Minutes(n["BKK_SESSION_MINUTES"]));
  if (command == "operator") return OperatorCommand(auth, config->positional(), config->Get("BKK_ROLE"));

  auto endpoint = bkk::RedisEndpoint::Parse(config->Get("BKK_REDIS_URL"));
  if (!endpoint.ok()) return bkk::ExitWithError("voting", endpoint.status());
  const std::string& key = config->Get("BKK_VOTER_KEY");
  if (key.size() < 32)
    return bkk::ExitWithError("voting", absl::InvalidArgumentError("BKK_VOTER_KEY must be at least 32 bytes"));
  auto hasher = bkk::voting::VoterKeyHasher::Create(key + ":voter-id");
  auto signer = bkk::voting::VoterTokenSigner::Create(key + ":voter-token");
  if (!hasher.ok()) return bkk::ExitWithError("voting", hasher.status());
  if (!signer.ok()) return bkk::ExitWithError("voting", signer.status());
  auto nonces = bkk::voting::CommitmentNonces::Create(key + ":commitment-nonce");
  if (!nonces.ok()) return bkk::ExitWithError("voting", nonces.status());
  auto budget_units = LoadBudgetUnits(config->Get("BKK_ORDINANCE_CSV"));
  if (!budget_units.ok()) return bkk::ExitWithError("voting", budget_units.status());

  bkk::RedisPool redis(*endpoint, static_cast<int>(n["BKK_REDIS_POOL_SIZE"]));
  // After the pools: the metrics listener reads them, so it must stop first.
  auto metrics = bkk::ServiceMetrics::Start(config->Get("BKK_ADMIN_LISTEN"));
  if (!metrics.ok()) return bkk::ExitWithError("voting", metrics.status());
  (*metrics)->AddPools({{"postgresql", &pg.stats()}, {"redis", &redis.stats()}});
  bkk::voting::VotingMetrics voting_metrics((*metrics)->registry());
  bkk::voting::RedisTallies tallies(&redis, config->Get("BKK_REDIS_PREFIX"));
  bkk::voting::RedisRateLimiter rate_limiter(&redis);
  // Live tallies: one broadcast per watched district, told of changes by the
  // applier in this process and by the changes channel from every replica.
  std::optional<bkk::voting::TallyBroadcaster> live;
  bkk::voting::TallyApplier applier(&store, &tallies, std::chrono::milliseconds(n["BKK_TALLY_INTERVAL_MS"]),
                                    [&live](const bkk::voting::TallyChange& change) {
                                      if (live) live->OnChange(change);
                                    });
  if (auto s = applier.CatchUp(); !s.ok()) {
    bkk::LogWarning("tallies_not_ready", {{"error", std::string(s.message())}, {"fallback", "postgresql"}});
  }
  bkk::voting::VotingLimits limits;
  limits.ballots_per_voter_per_minute = n["BKK_RATE_VOTER_PER_MIN"];
  limits.requests_per_address_per_minute = n["BKK_RATE_ADDRESS_PER_MIN"];
  bkk::voting::VotingApp app(&store, &tallies, &applier, &rate_limiter, *std::move(hasher), *std::move(signer),
                             *std::move(nonces), limits);
  bkk::voting::TallyBroadcaster::Options live_options;
  live_options.push_interval = std::chrono::milliseconds(std::max<int64_t>(1, n["BKK_TALLY_PUSH_MS"]));
  live_options.recheck_interval = std::chrono::milliseconds(std::max<int64_t>(100, n["BKK_TALLY_RECHECK_MS"]));
  live.emplace(bkk::voting::EncodeTallyFrames(&app), live_options);
  live->Start();
  app.set_round_listener([&live](int64_t round_id) {
    bkk::voting::TallyChange change;
    change.kind = bkk::voting::TallyChange::Kind::kRound;
    change.round_id = round_id;
    live->OnChange(change);
  });
  bkk::voting::TallyChangeFeed feed(
      *endpoint, tallies.ChangesChannel(),
      {[&live](const bkk::voting::TallyChange& c) { live->OnChange(c); }, [&live] { live->RecheckAll(); }});
  feed.Start();
  applier.Start();
  bkk::voting::BallotWriter writer(
      voting_metrics.Instrument(
          [&](const std::vector<bkk::voting::NewBallot>& group) { return store.InsertBallots(group); }),
      static_cast<int>(n["BKK_BATCH_MAX"]), std::chrono::microseconds(n["BKK_BATCH_WAIT_US"]),
      [&](const std::vector<const bkk::voting::RateKeys*>& keys) { return app.AdmitGroup(keys); },
      [&] { applier.Notify(); });
  app.set_writer(&writer);
  app.set_budget_units(*std::move(budget_units));
  bkk::voting::VotingGrpcService service(&app, &*live, &auth);
  bkk::GrpcServerOptions options;
  options.listen_address = config->Get("BKK_LISTEN");
  options.drain = std::chrono::seconds(n["BKK_DRAIN_SECONDS"]);
  options.metrics = metrics->get();
  auto server = bkk::GrpcServer::Start(options, {&service}, {"bkkbudget.voting.v1.VotingService"});
  if (!server.ok()) return bkk::ExitWithError("voting", server.status());
  std::cout << "voting listening on port " << (*server)->port() << std::endl;
  bkk::PeriodicTask sampler([&] {
    voting_metrics.Sample(applier.applied_watermark(), live->stats());
    return std::chrono::milliseconds(1000);
  });
  sampler.Start();

  bkk::WaitForTerminationSignal();
  // Order matters: end the live streams (watchers reconnect elsewhere), say
  // NOT_SERVING, write and answer every queued ballot while later ballots
  // are answered UNAVAILABLE (retryable, never stored), and only then stop
  // taking calls: gRPC's shutdown cancels the calls that reach it, and a
  // CANCELLED ballot leaves its voter unsure whether it counted. The pause
  // lets calls already on their way get that retryable answer.
  constexpr auto kAnswerBeforeShutdown = std::chrono::milliseconds(500);
  sampler.Stop();
  live->Stop(absl::UnavailableError("voting is restarting; reconnect to watch the tallies"));
  (*server)->SetServing(false);
  writer.Stop();
  std::this_thread::sleep_for(kAnswerBeforeShutdown);
  (*server)->Shutdown();
  (void)applier.CatchUp();
  applier.Stop();
  feed.Stop();
  bkk::LogInfo("drained", {{"groups", std::to_string(writer.groups())}});
  return 0;
}
