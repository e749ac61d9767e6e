// keyword-analytics: Thai word-aware keywords and search over budget lines,
// built in memory from budget-data's line stream and kept on its release.
// Settings come from the environment (or --flags); see --help.
#include <atomic>
#include <iostream>
#include <thread>

#include "common/config.h"
#include "common/grpc_server.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/periodic_task.h"
#include "common/service_main.h"
#include "services/keyword_analytics/grpc/keyword_grpc_service.h"

namespace {

const std::vector<bkk::SettingSpec>& Specs() {
  static const auto* kSpecs = new std::vector<bkk::SettingSpec>{
      {"BKK_BUDGET_ADDR", "budget-data's gRPC address (host:port)", true, ""},
      {"BKK_LISTEN", "gRPC listen address (host:port)", false, "127.0.0.1:50052"},
      {"BKK_REFRESH_SECONDS", "how often to ask budget-data for a new release", false, "10"},
      {"BKK_DRAIN_SECONDS", "how long SIGTERM waits for in-flight calls", false, "10"},
      bkk::AdminListenSetting(),
  };
  return *kSpecs;
}

}  // namespace

int main(int argc, char** argv) {
  bkk::BlockTerminationSignals();
  bkk::SetLogService("keyword-analytics");
  if (bkk::PrintHelpIfAsked(argc, argv, "keyword-analytics", Specs())) return 0;
  auto config = bkk::Config::Load(Specs(), argc, argv);
  if (!config.ok()) return bkk::ExitWithError("keyword-analytics", config.status());
  auto refresh = config->GetInt("BKK_REFRESH_SECONDS");
  auto drain = config->GetInt("BKK_DRAIN_SECONDS");
  if (!refresh.ok()) return bkk::ExitWithError("keyword-analytics", refresh.status());
  if (!drain.ok()) return bkk::ExitWithError("keyword-analytics", drain.status());
  auto segmenter = bkk::keywords::Segmenter::Create();
  if (!segmenter.ok()) return bkk::ExitWithError("keyword-analytics", segmenter.status());

  auto channel = grpc::CreateChannel(config->Get("BKK_BUDGET_ADDR"), grpc::InsecureChannelCredentials());
  auto budget = bkkbudget::budget::v1::BudgetService::NewStub(channel);
  bkk::keywords::SnapshotHolder holder;
  bkk::keywords::IndexLoader loader(budget.get(), *segmenter, &holder);
  bkk::keywords::KeywordGrpcService service(&holder, &loader);
  auto metrics = bkk::ServiceMetrics::Start(config->Get("BKK_ADMIN_LISTEN"));
  if (!metrics.ok()) return bkk::ExitWithError("keyword-analytics", metrics.status());
  prometheus::Gauge& build_seconds = prometheus::BuildGauge()
                                         .Name("bkk_keyword_index_build_seconds")
                                         .Help("How long the last keyword index took to fetch and build")
                                         .Register((*metrics)->registry())
                                         .Add({});
  bkk::GrpcServerOptions options;
  options.listen_address = config->Get("BKK_LISTEN");
  options.metrics = metrics->get();
  options.drain = std::chrono::seconds(*drain);
  options.serving_at_start = false;  // ready once the first index is built
  auto server = bkk::GrpcServer::Start(options, {&service}, {"bkkbudget.keywords.v1.KeywordService"});
  if (!server.ok()) return bkk::ExitWithError("keyword-analytics", server.status());
  std::cout << "keyword-analytics listening on port " << (*server)->port() << std::endl;

  // The first build happens here too: until it is published the RPCs answer
  // UNAVAILABLE and the service's health says NOT_SERVING, so the gateway's
  // /readyz waits for it.
  bkk::PeriodicTask refresher([&] {
    const auto start = std::chrono::steady_clock::now();
    auto changed = loader.Refresh();
    if (changed.ok() && *changed) {
      build_seconds.Set(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      if (auto snapshot = holder.Get()) (*metrics)->SetRelease(snapshot->release_version());
    }
    if (!changed.ok()) {
      bkk::LogWarning("index_refresh_failed", {{"error", std::string(changed.status().message())}});
    }
    if (holder.Get()) (*server)->SetServing(true);
    // Until the first index is built, retry every second.
    return std::chrono::milliseconds(holder.Get() ? *refresh * 1000 : 1000);
  });
  refresher.Start();
  bkk::WaitForTerminationSignal();
  (*server)->Shutdown();
  refresher.Stop();
  return 0;
}
