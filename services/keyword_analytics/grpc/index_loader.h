// Builds the keyword index from budget-data's line stream and keeps it on
// the current dataset release: Refresh() asks budget-data for its release and,
// when it changed, streams every line, builds a new snapshot off to the side
// and publishes it with one pointer swap. Readers keep the old snapshot until
// then. Written against BudgetService::StubInterface so tests can swap it.
#ifndef BKK_SERVICES_KEYWORD_ANALYTICS_GRPC_INDEX_LOADER_H_
#define BKK_SERVICES_KEYWORD_ANALYTICS_GRPC_INDEX_LOADER_H_

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "bkkbudget/budget/v1/budget.grpc.pb.h"
#include "services/keyword_analytics/core/index.h"

namespace bkk::keywords {

class IndexLoader final {
 public:
  IndexLoader(bkkbudget::budget::v1::BudgetService::StubInterface* budget, std::shared_ptr<const Segmenter> segmenter,
              SnapshotHolder* holder, std::chrono::milliseconds call_timeout = std::chrono::seconds(60));

  // Rebuilds when budget-data serves a release other than the indexed one.
  // Returns true when a new snapshot was published.
  absl::StatusOr<bool> Refresh();

  // Loads every line of the current release into Lines (exposed for tests
  // and benchmarks); `version` receives the release the stream came from.
  absl::StatusOr<std::vector<Line>> FetchLines(std::string* version);

  // RFC 3339 time the current snapshot was published ("" before the first).
  std::string published_at() const;

 private:
  bkkbudget::budget::v1::BudgetService::StubInterface* const budget_;
  const std::shared_ptr<const Segmenter> segmenter_;
  SnapshotHolder* const holder_;
  const std::chrono::milliseconds call_timeout_;
  std::mutex refresh_mu_;  // one rebuild at a time
  mutable std::mutex published_mu_;
  std::string published_at_;
};

}  // namespace bkk::keywords

#endif  // BKK_SERVICES_KEYWORD_ANALYTICS_GRPC_INDEX_LOADER_H_
