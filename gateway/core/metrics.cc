// Gateway metrics over prometheus-cpp; see metrics.h.
#include "gateway/core/metrics.h"

#include <prometheus/text_serializer.h>

#include "absl/strings/str_cat.h"

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

Metrics::Metrics(std::shared_ptr<prometheus::Registry> registry)
    : registry_(std::move(registry)),
      collectors_(std::make_shared<ScrapeTimeMetrics>()),
      requests_(prometheus::BuildCounter()
                    .Name("bkk_gateway_requests_total")
                    .Help("HTTP requests answered, by route and status code")
                    .Register(*registry_)),
      duration_(prometheus::BuildHistogram()
                    .Name("bkk_gateway_request_duration_seconds")
                    .Help("Time from a complete request to its answer")
                    .Register(*registry_)),
      in_flight_(prometheus::BuildGauge()
                     .Name("bkk_gateway_in_flight_requests")
                     .Help("Requests being answered now")
                     .Register(*registry_)
                     .Add({})) {}

int Metrics::AddSeries(std::string route, std::string method) {
  auto s = std::make_unique<Series>();
  s->route = std::move(route);
  s->method = std::move(method);
  s->duration = &duration_.Add({{"route", s->route}, {"method", s->method}}, ServiceMetrics::LatencyBuckets());
  series_.push_back(std::move(s));
  return static_cast<int>(series_.size() - 1);
}

void Metrics::Record(int series, int http_status, std::chrono::nanoseconds elapsed) {
  if (series < 0 || series >= static_cast<int>(series_.size())) return;
  Series& s = *series_[series];
  if (http_status < 0 || http_status >= static_cast<int>(s.by_status.size())) http_status = 0;
  prometheus::Counter* counter = s.by_status[http_status].load(std::memory_order_acquire);
  if (counter == nullptr) {
    // Family::Add returns the same counter for the same labels: a race here
    // stores the same pointer twice.
    counter = &requests_.Add({{"route", s.route}, {"method", s.method}, {"code", std::to_string(http_status)}});
    s.by_status[http_status].store(counter, std::memory_order_release);
  }
  counter->Increment();
  s.duration->Observe(std::chrono::duration<double>(elapsed).count());
}

void Metrics::AddInFlight(int delta) {
  in_flight_count_.fetch_add(delta, std::memory_order_relaxed);
  in_flight_.Increment(delta);
}

uint64_t Metrics::Count(int series, int http_status) const {
  if (series < 0 || series >= static_cast<int>(series_.size())) return 0;
  if (http_status < 0 || http_status >= 600) return 0;
  const prometheus::Counter* counter = series_[series]->by_status[http_status].load(std::memory_order_acquire);
  return counter == nullptr ? 0 : static_cast<uint64_t>(counter->Value());
}

void Metrics::AddCollector(std::string name, std::string help, prometheus::MetricType type, Read read) {
  collectors_->Add(std::move(name), std::move(help), type, std::move(read));
}

std::shared_ptr<prometheus::Collectable> Metrics::collectors() const { return collectors_; }

std::string Metrics::Render() const {
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  for (auto& f : collectors_->Collect()) families.push_back(std::move(f));
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace bkk::gateway
