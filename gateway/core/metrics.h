// Prometheus metrics of the gateway, rendered in the text exposition format:
//   bkk_gateway_requests_total{route,method,code}      counter
//   bkk_gateway_request_duration_seconds{route,method} histogram
//   bkk_gateway_in_flight_requests                     gauge
// plus gauges and counters the server adds at render time. Series are fixed
// at start (one per route, and a few for non-API paths), so recording is a
// handful of relaxed atomic increments and never takes a lock.
#ifndef BKK_GATEWAY_CORE_METRICS_H_
#define BKK_GATEWAY_CORE_METRICS_H_

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace bkk::gateway {

class Metrics final {
 public:
  // Upper bounds of the latency histogram, in seconds.
  static constexpr std::array<double, 14> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,    0.25,  0.5,    1,     2.5,  5,     10};

  Metrics() = default;
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Registers a series (before serving starts); returns its id.
  int AddSeries(std::string route, std::string method);

  void Record(int series, int http_status, std::chrono::nanoseconds elapsed);
  void AddInFlight(int delta) { in_flight_.fetch_add(delta, std::memory_order_relaxed); }
  int64_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }

  // The requests_total count of one series and status (for tests).
  uint64_t Count(int series, int http_status) const;

  // The whole exposition; `extra` is appended verbatim (already formatted).
  std::string Render(absl::string_view extra = {}) const;

 private:
  struct Series {
    std::string route;
    std::string method;
    std::array<std::atomic<uint64_t>, 600> by_status{};
    std::array<std::atomic<uint64_t>, kBuckets.size()> buckets{};
    std::atomic<uint64_t> count{0};
    std::atomic<uint64_t> sum_nanos{0};
  };
  std::vector<std::unique_ptr<Series>> series_;
  std::atomic<int64_t> in_flight_{0};
};

// Escapes a Prometheus label value.
std::string PromLabel(absl::string_view value);

}  // namespace bkk::gateway

#endif  // BKK_GATEWAY_CORE_METRICS_H_
