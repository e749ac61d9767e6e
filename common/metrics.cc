// Service metrics and the RPC interceptor; see metrics.h.
#include "common/metrics.h"

#include <grpcpp/support/server_interceptor.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <exception>
#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/log.h"
#include "common/pool_stats.h"

namespace bkk {
namespace {

using Clock = std::chrono::steady_clock;

// One method's series: its histogram and its counter per status code,
// looked up in prometheus-cpp's families once and then kept.
struct MethodSeries {
  std::string method;
  prometheus::Histogram* handling = nullptr;
  std::array<std::atomic<prometheus::Counter*>, 17> handled{};  // by grpc::StatusCode
};

// One per RPC: the clock starts when the call arrives and stops when its
// status is sent, whatever thread that happens on.
class RpcInterceptor final : public grpc::experimental::Interceptor {
 public:
  RpcInterceptor(MethodSeries* series, prometheus::Family<prometheus::Counter>* handled)
      : series_(series), handled_(handled), start_(Clock::now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      const int code = std::clamp(static_cast<int>(methods->GetSendStatus().error_code()), 0, 16);
      prometheus::Counter* counter = series_->handled[code].load(std::memory_order_acquire);
      if (counter == nullptr) {
        // Family::Add returns the same counter for the same labels: a race stores it twice.
        counter =
            &handled_->Add({{"method", series_->method},
                            {"code", absl::StatusCodeToString(FromGrpcCode(static_cast<grpc::StatusCode>(code)))}});
        series_->handled[code].store(counter, std::memory_order_release);
      }
      counter->Increment();
      series_->handling->Observe(std::chrono::duration<double>(Clock::now() - start_).count());
    }
    methods->Proceed();
  }

 private:
  MethodSeries* const series_;
  prometheus::Family<prometheus::Counter>* const handled_;
  const Clock::time_point start_;
};

class RpcInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  RpcInterceptorFactory(prometheus::Family<prometheus::Counter>* handled,
                        prometheus::Family<prometheus::Histogram>* handling)
      : handled_(handled), handling_(handling) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override {
    const char* method = info->method() == nullptr ? "unknown" : info->method();
    std::lock_guard<std::mutex> lock(mu_);
    auto& slot = by_method_[method];
    if (!slot) {
      slot = std::make_unique<MethodSeries>();
      slot->method = method;
      slot->handling = &handling_->Add({{"method", slot->method}}, ServiceMetrics::LatencyBuckets());
    }
    return new RpcInterceptor(slot.get(), handled_);
  }

 private:
  prometheus::Family<prometheus::Counter>* const handled_;
  prometheus::Family<prometheus::Histogram>* const handling_;
  std::mutex mu_;
  std::unordered_map<std::string, std::unique_ptr<MethodSeries>> by_method_;
};

}  // namespace

void ScrapeTimeMetrics::Add(std::string name, std::string help, prometheus::MetricType type, Read read) {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.push_back({std::move(name), std::move(help), type, std::move(read)});
}

std::vector<prometheus::MetricFamily> ScrapeTimeMetrics::Collect() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<prometheus::MetricFamily> families;
  for (const Entry& e : entries_) {
    prometheus::MetricFamily family;
    family.name = e.name;
    family.help = e.help;
    family.type = e.type;
    for (const Sample& s : e.read()) {
      prometheus::ClientMetric metric;
      for (const auto& [k, v] : s.labels) metric.label.push_back({k, v});
      if (e.type == prometheus::MetricType::Counter) {
        metric.counter.value = s.value;
      } else {
        metric.gauge.value = s.value;
      }
      family.metric.push_back(std::move(metric));
    }
    families.push_back(std::move(family));
  }
  return families;
}

SettingSpec AdminListenSetting() {
  return {"BKK_ADMIN_LISTEN", "admin listener for /metrics (host:port; port 0 picks one; empty: none)", false,
          "127.0.0.1:0"};
}

const std::vector<double>& ServiceMetrics::LatencyBuckets() {
  static const std::vector<double> buckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                              0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  return buckets;
}

ServiceMetrics::ServiceMetrics() : registry_(std::make_shared<prometheus::Registry>()) {
  handled_ = &prometheus::BuildCounter()
                  .Name("bkk_grpc_server_handled_total")
                  .Help("RPCs completed, by method and gRPC status code")
                  .Register(*registry_);
  handling_ = &prometheus::BuildHistogram()
                   .Name("bkk_grpc_server_handling_seconds")
                   .Help("Time from an RPC's arrival to its status, by method")
                   .Register(*registry_);
  release_ = &prometheus::BuildGauge()
                  .Name("bkk_dataset_release_info")
                  .Help("The dataset release this process serves (value 1, release in the label)")
                  .Register(*registry_);
}

void ServiceMetrics::SetRelease(const std::string& version) {
  std::lock_guard<std::mutex> lock(release_mu_);
  if (release_gauge_ != nullptr) release_->Remove(release_gauge_);
  release_gauge_ = &release_->Add({{"version", version}});
  release_gauge_->Set(1);
}

ServiceMetrics::~ServiceMetrics() = default;

absl::StatusOr<std::unique_ptr<ServiceMetrics>> ServiceMetrics::Start(const std::string& admin_address) {
  auto metrics = std::unique_ptr<ServiceMetrics>(new ServiceMetrics());
  if (admin_address.empty()) return metrics;
  try {
    // One thread: Prometheus scrapes every few seconds.
    metrics->exposer_ = std::make_unique<prometheus::Exposer>(admin_address, 1);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", admin_address, " (in use or not local?): ", e.what()));
  }
  metrics->exposer_->RegisterCollectable(metrics->registry_);
  metrics->exposer_->RegisterCollectable(metrics->scrape_time_);
  const auto ports = metrics->exposer_->GetListeningPorts();
  metrics->port_ = ports.empty() ? 0 : ports.front();
  LogInfo("metrics_listening", {{"address", admin_address}, {"port", std::to_string(metrics->port_)}});
  return metrics;
}

void ServiceMetrics::Expose(const std::weak_ptr<prometheus::Collectable>& collectable) {
  if (exposer_) exposer_->RegisterCollectable(collectable);
}

void ServiceMetrics::AddPools(std::vector<std::pair<std::string, const PoolStats*>> pools) {
  auto add = [&](const char* name, const char* help, const std::atomic<uint64_t> PoolStats::*field) {
    scrape_time_->Add(name, help, prometheus::MetricType::Counter, [pools, field] {
      std::vector<ScrapeTimeMetrics::Sample> samples;
      for (const auto& [store, stats] : pools) {
        samples.push_back({{{"store", store}}, static_cast<double>((stats->*field).load(std::memory_order_relaxed))});
      }
      return samples;
    });
  };
  add("bkk_pool_waits_total", "Callers that waited for a free connection", &PoolStats::waits);
  add("bkk_pool_timeouts_total", "Callers that gave up waiting for a connection", &PoolStats::timeouts);
  add("bkk_pool_errors_total", "Work that failed for the store's sake (unavailable, internal)", &PoolStats::errors);
}

std::string ServiceMetrics::Render() const {
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  for (auto& f : scrape_time_->Collect()) families.push_back(std::move(f));
  return prometheus::TextSerializer().Serialize(families);
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> ServiceMetrics::NewInterceptorFactory() {
  return std::make_unique<RpcInterceptorFactory>(handled_, handling_);
}

}  // namespace bkk
