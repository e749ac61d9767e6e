// Prometheus metrics of a service (prometheus-cpp), served on an admin
// listener apart from the public gRPC port, so scraping needs no route
// through the ingress and the public never sees internals:
//   bkk_grpc_server_handled_total{method,code}     counter, every RPC
//   bkk_grpc_server_handling_seconds{method}       histogram, every RPC
// plus what each service registers on registry() (ballots, tally lag, index
// build time, …). Use one per process; GrpcServerOptions::metrics hooks the
// RPC interceptor in.
#ifndef BKK_COMMON_METRICS_H_
#define BKK_COMMON_METRICS_H_

#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/config.h"

namespace grpc::experimental {
class ServerInterceptorFactoryInterface;
}  // namespace grpc::experimental

namespace bkk {

struct PoolStats;

// Metrics whose values are read at each scrape from counters and gauges kept
// elsewhere (caches, pools, live views), as one Collectable. Thread-safe.
class ScrapeTimeMetrics final : public prometheus::Collectable {
 public:
  struct Sample {
    std::vector<std::pair<std::string, std::string>> labels;
    double value = 0;
  };
  using Read = std::function<std::vector<Sample>()>;

  void Add(std::string name, std::string help, prometheus::MetricType type, Read read);
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  struct Entry {
    std::string name, help;
    prometheus::MetricType type;
    Read read;
  };
  mutable std::mutex mu_;
  std::vector<Entry> entries_;
};

// BKK_ADMIN_LISTEN, read by every binary: where /metrics is served.
SettingSpec AdminListenSetting();

class ServiceMetrics final {
 public:
  // Latency buckets in seconds, shared by every histogram of the project.
  static const std::vector<double>& LatencyBuckets();

  // Serves /metrics on `admin_address` (host:port; port 0 picks one); an
  // empty address serves nothing (Render still works, for tests).
  static absl::StatusOr<std::unique_ptr<ServiceMetrics>> Start(const std::string& admin_address);
  ~ServiceMetrics();

  prometheus::Registry& registry() { return *registry_; }
  // The admin port, or 0 when not serving.
  int port() const { return port_; }
  // bkk_dataset_release_info{version} = 1 for the release in service (the
  // previous one's series goes), so replicas on different releases show.
  void SetRelease(const std::string& version);

  // Serves another collectable on the same /metrics (the gateway's own
  // registry); it must outlive this object or stop answering.
  void Expose(const std::weak_ptr<prometheus::Collectable>& collectable);

  // bkk_pool_waits_total, bkk_pool_timeouts_total, bkk_pool_errors_total by
  // store ("postgresql", "redis"); the pools must outlive this object.
  void AddPools(std::vector<std::pair<std::string, const PoolStats*>> pools);
  ScrapeTimeMetrics& scrape_time() { return *scrape_time_; }

  // The exposition text, as a scrape would get it.
  std::string Render() const;

  // For GrpcServer: a fresh interceptor factory recording every RPC.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> NewInterceptorFactory();

 private:
  ServiceMetrics();
  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<ScrapeTimeMetrics> scrape_time_ = std::make_shared<ScrapeTimeMetrics>();
  std::unique_ptr<prometheus::Exposer> exposer_;
  prometheus::Family<prometheus::Counter>* handled_ = nullptr;
  prometheus::Family<prometheus::Histogram>* handling_ = nullptr;
  prometheus::Family<prometheus::Gauge>* release_ = nullptr;
  std::mutex release_mu_;
  prometheus::Gauge* release_gauge_ = nullptr;
  int port_ = 0;
};

}  // namespace bkk

#endif  // BKK_COMMON_METRICS_H_
