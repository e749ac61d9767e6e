// Keyword index loading from budget-data; see index_loader.h.
#include "services/keyword_analytics/grpc/index_loader.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/grpc_status.h"
#include "common/log.h"
#include "common/status_macros.h"

namespace bkk::keywords {
namespace pb = bkkbudget::budget::v1;

IndexLoader::IndexLoader(pb::BudgetService::StubInterface* budget, std::shared_ptr<const Segmenter> segmenter,
                         SnapshotHolder* holder, std::chrono::milliseconds call_timeout)
    : budget_(budget), segmenter_(std::move(segmenter)), holder_(holder), call_timeout_(call_timeout) {}

absl::StatusOr<std::vector<Line>> IndexLoader::FetchLines(std::string* version) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + call_timeout_);
  pb::StreamLinesRequest request;
  request.set_sort(pb::LINE_SORT_NAME);  // any fixed order; ids make it stable
  auto reader = budget_->StreamLines(&ctx, request);
  std::vector<Line> lines;
  pb::StreamLinesResponse chunk;
  version->clear();
  while (reader->Read(&chunk)) {
    if (version->empty()) {
      *version = chunk.release_version();
    } else if (chunk.release_version() != *version) {
      return absl::AbortedError("the release changed during the stream; retry");
    }
    for (const auto& l : chunk.lines()) {
      Line line;
      line.line_id = l.line_id();
      line.fiscal_year = l.fiscal_year();
      line.agency = l.agency();
      line.plan = l.mission_type();
      line.name = l.name();
      line.amount_baht = l.amount_baht();
      // The index keeps unclassified lines under the filter's own word.
      line.strategy = l.strategy_id().empty() ? kUnclassified : l.strategy_id();
      line.district_id = l.district_id();
      lines.push_back(std::move(line));
    }
  }
  grpc::Status status = reader->Finish();
  if (!status.ok()) {
    return absl::Status(FromGrpcCode(status.error_code()),
                        absl::StrCat("budget-data StreamLines: ", status.error_message()));
  }
  return lines;
}

std::string IndexLoader::published_at() const {
  std::lock_guard<std::mutex> lock(published_mu_);
  return published_at_;
}

absl::StatusOr<bool> IndexLoader::Refresh() {
  std::lock_guard<std::mutex> lock(refresh_mu_);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  pb::GetReleaseResponse release;
  grpc::Status status = budget_->GetRelease(&ctx, {}, &release);
  if (!status.ok()) {
    return absl::Status(FromGrpcCode(status.error_code()),
                        absl::StrCat("budget-data GetRelease: ", status.error_message()));
  }
  auto current = holder_->Get();
  if (current && current->release_version() == release.release().version()) return false;
  std::string version;
  ASSIGN_OR_RETURN(auto lines, FetchLines(&version));
  ASSIGN_OR_RETURN(auto snapshot, IndexSnapshot::Build(lines, version, segmenter_));
  holder_->Publish(snapshot);
  {
    std::lock_guard<std::mutex> published(published_mu_);
    published_at_ = absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now(), absl::UTCTimeZone());
  }
  auto st = (snapshot)->Status();
  LogInfo("index_published", {{"release", version},
                              {"lines", std::to_string(st.line_count)},
                              {"terms", std::to_string(st.term_count)},
                              {"build_ms", std::to_string(st.build_duration_ms)}});
  return true;
}

}  // namespace bkk::keywords
