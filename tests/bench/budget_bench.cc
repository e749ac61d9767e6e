// Unary throughput and latency of budget-data's served RPCs next to the same
// server's health Check (the cheapest call gRPC can serve), in one run.
//   budget_bench ADDRESS [SECONDS_PER_RPC] [CLIENT_THREADS]
// Every answer is checked: the first of each RPC against facts of the FY2566
// data, every later one against the first, byte for byte. Prints one table
// row per RPC and a last line: the main ratio, its target and pass or short;
// any RPC error or wrong answer makes it "budget: FAILED" and exit 1.
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
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
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

int Failed(const std::string& why) {
  std::printf("budget: FAILED: %s\n", why.c_str());
  return 1;
}

std::string Serialized(const google::protobuf::Message& message) {
  std::string bytes;
  google::protobuf::io::StringOutputStream out(&bytes);
  google::protobuf::io::CodedOutputStream coded(&out);
  coded.SetSerializationDeterministic(true);
  message.SerializeToCodedStream(&coded);
  return bytes;
}

// FY2566 as the ordinance states it: its 1,766 lines add up to the grand
// total of ข้อ 3, 79,719,012,050 baht: the BMA's own budget (ข้อ 4,
// 79,000,000,000) and its commercial enterprises (ข้อ 5, 719,012,050); 73
// agencies besides the central fund of 14,162,196,831.
constexpr int64_t kTotal2566Baht = 79'719'012'050;
constexpr int64_t kOwnBudget2566Baht = 79'000'000'000;
constexpr int64_t kCentralFund2566Baht = 14'162'196'831;

// Empty when the overview holds the nine years, FY2566 among them with its
// total and parts; otherwise what is wrong.
std::string WrongOverview(const pb::GetOverviewResponse& overview) {
  if (overview.years_size() != 9) return "GetOverview has " + std::to_string(overview.years_size()) + " years, not 9; ";
  for (const auto& year : overview.years()) {
    if (year.fiscal_year() == 2566) {
      return year.total_budget_baht() == kTotal2566Baht && year.has_lines() && year.total_parts_size() == 2 &&
                     year.total_parts(0).amount_baht() == kOwnBudget2566Baht &&
                     year.total_parts(1).amount_baht() == kTotal2566Baht - kOwnBudget2566Baht
                 ? ""
                 : "GetOverview's FY2566 total is " + std::to_string(year.total_budget_baht()) + " in " +
                       std::to_string(year.total_parts_size()) + " parts; ";
    }
  }
  return "GetOverview has no FY2566; ";
}

// Empty when the five largest FY2566 agencies come largest first, within the
// year's total, the central fund apart; otherwise what is wrong.
std::string WrongTopAgencies(const pb::ListTopAgenciesResponse& top) {
  if (top.fiscal_year() != 2566 || top.agency_count() != 73 || top.year_total_baht() != kTotal2566Baht ||
      top.agencies_size() != 5 || top.central_fund().amount_baht() != kCentralFund2566Baht) {
    return "ListTopAgencies(2566) answered year " + std::to_string(top.fiscal_year()) + ", " +
           std::to_string(top.agencies_size()) + " of " + std::to_string(top.agency_count()) + " agencies, total " +
           std::to_string(top.year_total_baht()) + "; ";
  }
  int64_t sum = 0;
  for (int i = 0; i < top.agencies_size(); ++i) {
    sum += top.agencies(i).amount_baht();
    if (top.agencies(i).amount_baht() <= 0 ||
        (i > 0 && top.agencies(i).amount_baht() > top.agencies(i - 1).amount_baht())) {
      std::string amounts;
      for (const auto& agency : top.agencies()) amounts += " " + std::to_string(agency.amount_baht());
      return "ListTopAgencies(2566) is not largest first:" + amounts + "; ";
    }
  }
  return sum <= kTotal2566Baht ? "" : "ListTopAgencies(2566) adds up to more than the year; ";
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
  // The reference answers, checked against the data before any is timed.
  auto reference_stub = pb::BudgetService::NewStub(Channel(address, -1));
  pb::GetOverviewResponse overview;
  pb::ListTopAgenciesRequest top_request;
  top_request.set_fiscal_year(2566);
  pb::ListTopAgenciesResponse top;
  {
    grpc::ClientContext ctx, top_ctx;
    Deadline(ctx);
    Deadline(top_ctx);
    auto overview_status = reference_stub->GetOverview(&ctx, {}, &overview);
    auto top_status = reference_stub->ListTopAgencies(&top_ctx, top_request, &top);
    if (!overview_status.ok() || !top_status.ok()) {
      return Failed("the first calls failed: " + overview_status.error_message() + " / " + top_status.error_message());
    }
  }
  if (std::string wrong = WrongOverview(overview) + WrongTopAgencies(top); !wrong.empty()) return Failed(wrong);
  const std::string overview_bytes = Serialized(overview), top_bytes = Serialized(top);

  results.push_back(Measure("GetOverview", threads, seconds, [&](int t) {
    std::shared_ptr<pb::BudgetService::Stub> stub = pb::BudgetService::NewStub(Channel(address, t));
    return [stub, &overview_bytes]() {
      grpc::ClientContext ctx;
      Deadline(ctx);
      pb::GetOverviewResponse resp;
      return stub->GetOverview(&ctx, {}, &resp).ok() && Serialized(resp) == overview_bytes;
    };
  }));
  results.push_back(Measure("ListTopAgencies(2566, 5)", threads, seconds, [&](int t) {
    std::shared_ptr<pb::BudgetService::Stub> stub = pb::BudgetService::NewStub(Channel(address, t));
    return [stub, &top_request, &top_bytes]() {
      grpc::ClientContext ctx;
      Deadline(ctx);
      pb::ListTopAgenciesResponse resp;
      return stub->ListTopAgencies(&ctx, top_request, &resp).ok() && Serialized(resp) == top_bytes;
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
  if (errors > 0) return Failed(std::to_string(errors) + " calls failed or answered differently from the first");
  std::printf("budget: served RPCs at %.2fx the health Check throughput (target >= 0.67x, every answer checked): %s\n",
              worst, worst >= 2.0 / 3.0 ? "pass" : "short");
  return 0;
}
