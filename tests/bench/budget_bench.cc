// Unary throughput and latency of budget-data's served RPCs next to the same
// server's health Check (the cheapest call gRPC can serve), in one run.
//   budget_bench ADDRESS [SECONDS_PER_RPC] [CLIENT_THREADS]
// Prints one table row per RPC and a last line: the main ratio, its target
// and pass or short.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "bkkbudget/budget/v1/budget.grpc.pb.h"
#include "grpc_probes.grpc.pb.h"

namespace {
namespace pb = bkkbudget::budget::v1;
using Clock = std::chrono::steady_clock;

struct Result {
  std::string name;
  double rps = 0;
  double p50_us = 0, p99_us = 0;
  long errors = 0;
};

// Runs `call` from `threads` threads (each with its own channel, so calls
// spread over connections) for `seconds`, after a short warm-up.
Result Measure(const std::string& name, int threads, double seconds,
               const std::function<std::function<bool()>(int)>& make_caller) {
  std::vector<std::vector<double>> latencies(threads);
  std::atomic<long> errors{0};
  std::atomic<bool> go{false}, stop{false};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      auto call = make_caller(t);
      for (int i = 0; i < 50; ++i) call();  // warm-up: connect, caches
      while (!go.load()) std::this_thread::yield();
      while (!stop.load()) {
        auto start = Clock::now();
        bool ok = call();
        auto us = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
        if (!ok) ++errors;
        latencies[t].push_back(us);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto start = Clock::now();
  go = true;
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  for (auto& th : pool) th.join();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  Result r;
  r.name = name;
  r.rps = all.size() / elapsed;
  r.p50_us = all.empty() ? 0 : all[all.size() / 2];
  r.p99_us = all.empty() ? 0 : all[std::min(all.size() - 1, all.size() * 99 / 100)];
  r.errors = errors.load();
  return r;
}

std::shared_ptr<grpc::Channel> Channel(const std::string& address, int index) {
  grpc::ChannelArguments args;
  args.SetInt("bench.channel", index);  // distinct args: one connection per thread
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

void Deadline(grpc::ClientContext& ctx) {
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: budget_bench ADDRESS [SECONDS_PER_RPC] [THREADS]\n");
    return 2;
  }
  std::string address = argv[1];
  double seconds = argc > 2 ? std::stod(argv[2]) : 5;
  int threads = argc > 3 ? std::stoi(argv[3]) : 8;

  std::vector<Result> results;
  results.push_back(Measure("health Check (baseline)", threads, seconds, [&](int t) {
    auto stub = grpc::health::v1::Health::NewStub(Channel(address, t));
    return [stub = std::shared_ptr<grpc::health::v1::Health::Stub>(std::move(stub))]() {
      grpc::ClientContext ctx;
      Deadline(ctx);
      grpc::health::v1::HealthCheckRequest req;
      grpc::health::v1::HealthCheckResponse resp;
      return stub->Check(&ctx, req, &resp).ok();
    };
  }));
  results.push_back(Measure("GetOverview", threads, seconds, [&](int t) {
    std::shared_ptr<pb::BudgetService::Stub> stub = pb::BudgetService::NewStub(Channel(address, t));
    return [stub]() {
      grpc::ClientContext ctx;
      Deadline(ctx);
      pb::GetOverviewResponse resp;
      return stub->GetOverview(&ctx, {}, &resp).ok() && resp.years_size() == 9;
    };
  }));
  results.push_back(Measure("ListTopAgencies(2566, 5)", threads, seconds, [&](int t) {
    std::shared_ptr<pb::BudgetService::Stub> stub = pb::BudgetService::NewStub(Channel(address, t));
    return [stub]() {
      grpc::ClientContext ctx;
      Deadline(ctx);
      pb::ListTopAgenciesRequest req;
      req.set_fiscal_year(2566);
      pb::ListTopAgenciesResponse resp;
      return stub->ListTopAgencies(&ctx, req, &resp).ok() && resp.agency_count() == 74;
    };
  }));

  std::printf("%-28s %12s %10s %10s %8s %8s\n", "rpc", "req/s", "p50 us", "p99 us", "errors", "ratio");
  double base = results[0].rps;
  double worst = 1e9;
  for (const auto& r : results) {
    double ratio = r.rps / base;
    if (&r != &results[0]) worst = std::min(worst, ratio);
    std::printf("%-28s %12.0f %10.0f %10.0f %8ld %8.2f\n", r.name.c_str(), r.rps, r.p50_us, r.p99_us, r.errors, ratio);
  }
  long errors = 0;
  for (const auto& r : results) errors += r.errors;
  bool pass = worst >= 2.0 / 3.0 && errors == 0;
  std::printf("budget: served RPCs at %.2fx the health Check throughput (target >= 0.67x, %ld errors): %s\n", worst,
              errors, pass ? "pass" : "short");
  return 0;
}
