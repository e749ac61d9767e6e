// Prometheus metrics of the gateway (prometheus-cpp), served on the admin
// listener (BKK_ADMIN_LISTEN), never on the public one:
//   bkk_gateway_requests_total{route,method,code}      counter
//   bkk_gateway_request_duration_seconds{route,method} histogram
//   bkk_gateway_in_flight_requests                     gauge
// plus values read at scrape time (AddCollector: caches, live views,
// connections, the release). Series are fixed at start (one per route and a
// few for non-API paths); a request's counter is looked up once per status
// and then kept, so recording takes no lock.
#ifndef BKK_GATEWAY_CORE_METRICS_H_
#define BKK_GATEWAY_CORE_METRICS_H_

#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/metrics.h"

namespace bkk::gateway {

class Metrics final {
 public:
  using Sample = ScrapeTimeMetrics::Sample;
  using Read = ScrapeTimeMetrics::Read;

  // Records into `registry` (the admin listener's; by default one of its own).
  explicit Metrics(std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>());
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Registers a series (before serving starts); returns its id.
  int AddSeries(std::string route, std::string method);

  void Record(int series, int http_status, std::chrono::nanoseconds elapsed);
  void AddInFlight(int delta);
  int64_t in_flight() const { return in_flight_count_.load(std::memory_order_relaxed); }

  // The requests_total count of one series and status (for tests).
  uint64_t Count(int series, int http_status) const;

  // A metric whose samples are read at each scrape (gauges and counters kept
  // elsewhere). Register before serving starts.
  void AddCollector(std::string name, std::string help, prometheus::MetricType type, Read read);

  // For the admin listener: the registry and the scrape-time collectors.
  const std::shared_ptr<prometheus::Registry>& registry() const { return registry_; }
  std::shared_ptr<prometheus::Collectable> collectors() const;

  // The whole exposition, as a scrape gets it (tests).
  std::string Render() const;

 private:
  struct Series {
    std::string route;
    std::string method;
    prometheus::Histogram* duration = nullptr;
    std::array<std::atomic<prometheus::Counter*>, 600> by_status{};
  };
  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<ScrapeTimeMetrics> collectors_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& duration_;
  prometheus::Gauge& in_flight_;
  std::atomic<int64_t> in_flight_count_{0};
  std::vector<std::unique_ptr<Series>> series_;
};

// Escapes a Prometheus label value.
std::string PromLabel(absl::string_view value);

}  // namespace bkk::gateway

#endif  // BKK_GATEWAY_CORE_METRICS_H_
