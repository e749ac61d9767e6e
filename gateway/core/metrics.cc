// Prometheus text rendering; see metrics.h.
#include "gateway/core/metrics.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace bkk::gateway {

std::string PromLabel(absl::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

int Metrics::AddSeries(std::string route, std::string method) {
  auto s = std::make_unique<Series>();
  s->route = std::move(route);
  s->method = std::move(method);
  series_.push_back(std::move(s));
  return static_cast<int>(series_.size() - 1);
}

void Metrics::Record(int series, int http_status, std::chrono::nanoseconds elapsed) {
  if (series < 0 || series >= static_cast<int>(series_.size())) return;
  Series& s = *series_[series];
  if (http_status < 0 || http_status >= static_cast<int>(s.by_status.size())) http_status = 0;
  s.by_status[http_status].fetch_add(1, std::memory_order_relaxed);
  const double seconds = std::chrono::duration<double>(elapsed).count();
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      s.buckets[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  s.count.fetch_add(1, std::memory_order_relaxed);
  s.sum_nanos.fetch_add(static_cast<uint64_t>(std::max<int64_t>(0, elapsed.count())), std::memory_order_relaxed);
}

uint64_t Metrics::Count(int series, int http_status) const {
  if (series < 0 || series >= static_cast<int>(series_.size())) return 0;
  if (http_status < 0 || http_status >= 600) return 0;
  return series_[series]->by_status[http_status].load(std::memory_order_relaxed);
}

std::string Metrics::Render(absl::string_view extra) const {
  std::string out;
  absl::StrAppend(&out, "# HELP bkk_gateway_requests_total HTTP requests answered, by route and status code.\n",
                  "# TYPE bkk_gateway_requests_total counter\n");
  for (const auto& s : series_) {
    for (size_t code = 0; code < s->by_status.size(); ++code) {
      uint64_t n = s->by_status[code].load(std::memory_order_relaxed);
      if (n == 0) continue;
      absl::StrAppend(&out, "bkk_gateway_requests_total{route=\"", PromLabel(s->route), "\",method=\"",
                      PromLabel(s->method), "\",code=\"", code, "\"} ", n, "\n");
    }
  }
  absl::StrAppend(&out, "# HELP bkk_gateway_request_duration_seconds Time from a complete request to its answer.\n",
                  "# TYPE bkk_gateway_request_duration_seconds histogram\n");
  for (const auto& s : series_) {
    uint64_t count = s->count.load(std::memory_order_relaxed);
    if (count == 0) continue;
    std::string labels = absl::StrCat("route=\"", PromLabel(s->route), "\",method=\"", PromLabel(s->method), "\"");
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += s->buckets[i].load(std::memory_order_relaxed);
      absl::StrAppend(&out, "bkk_gateway_request_duration_seconds_bucket{", labels, ",le=\"",
                      absl::StrFormat("%g", kBuckets[i]), "\"} ", cumulative, "\n");
    }
    absl::StrAppend(&out, "bkk_gateway_request_duration_seconds_bucket{", labels, ",le=\"+Inf\"} ", count, "\n");
    absl::StrAppend(&out, "bkk_gateway_request_duration_seconds_sum{", labels, "} ",
                    absl::StrFormat("%.6f", s->sum_nanos.load(std::memory_order_relaxed) / 1e9), "\n");
    absl::StrAppend(&out, "bkk_gateway_request_duration_seconds_count{", labels, "} ", count, "\n");
  }
  absl::StrAppend(&out, "# HELP bkk_gateway_in_flight_requests Requests being answered now.\n",
                  "# TYPE bkk_gateway_in_flight_requests gauge\n", "bkk_gateway_in_flight_requests ",
                  in_flight_.load(std::memory_order_relaxed), "\n");
  out.append(extra.data(), extra.size());
  return out;
}

}  // namespace bkk::gateway
