// voting's metrics; see voting_metrics.h.
#include "services/voting/grpc/voting_metrics.h"

#include <algorithm>
#include <vector>

namespace bkk::voting {
namespace {

prometheus::Counter& NewCounter(prometheus::Registry& registry, const char* name, const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry).Add({});
}
prometheus::Gauge& NewGauge(prometheus::Registry& registry, const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add({});
}
prometheus::Histogram& NewHistogram(prometheus::Registry& registry, const char* name, const char* help,
                                    const std::vector<double>& buckets) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(registry).Add({}, buckets);
}

}  // namespace

VotingMetrics::VotingMetrics(prometheus::Registry& registry)
    : committed_(NewCounter(registry, "bkk_ballots_committed_total", "Ballots stored durably (replays not counted)")),
      failures_(NewCounter(registry, "bkk_ballot_commit_failures_total",
                           "Ballots answered UNAVAILABLE or INTERNAL because their group commit failed")),
      group_size_(NewHistogram(registry, "bkk_ballot_group_size", "Ballots per group commit",
                               {1, 2, 4, 8, 16, 32, 64, 128, 256, 512})),
      commit_seconds_(NewHistogram(registry, "bkk_ballot_commit_seconds",
                                   "One group commit: the insert and its durable COMMIT",
                                   ServiceMetrics::LatencyBuckets())),
      lag_ballots_(NewGauge(registry, "bkk_tally_lag_ballots",
                            "Ballots committed by this replica that the Redis tallies do not have yet")),
      lag_seconds_(NewGauge(registry, "bkk_tally_lag_seconds",
                            "Age of the oldest ballot committed here but not yet in the Redis tallies")),
      watchers_(NewGauge(registry, "bkk_tally_watchers", "Live-tally streams open on this replica")),
      watched_districts_(NewGauge(registry, "bkk_tally_watched_districts", "Districts with at least one watcher")),
      frames_(NewCounter(registry, "bkk_tally_frames_total", "Distinct live-tally frames published")) {}

BallotWriter::Commit VotingMetrics::Instrument(BallotWriter::Commit commit) {
  return [this, commit = std::move(commit)](const std::vector<NewBallot>& group) {
    const auto start = Clock::now();
    std::vector<BallotResult> results = commit(group);
    const auto end = Clock::now();
    commit_seconds_.Observe(std::chrono::duration<double>(end - start).count());
    group_size_.Observe(static_cast<double>(group.size()));
    int64_t stored = 0, failed = 0, highest = 0;
    for (const BallotResult& r : results) {
      if (r.status.ok() && !r.replayed) {
        ++stored;
        highest = std::max(highest, r.ballot_id);
      }
      const auto code = r.status.code();
      if (code == absl::StatusCode::kUnavailable || code == absl::StatusCode::kInternal) ++failed;
    }
    committed_.Increment(static_cast<double>(stored));
    failures_.Increment(static_cast<double>(failed));
    if (highest > 0) {
      std::lock_guard<std::mutex> lock(mu_);
      unapplied_.emplace_back(highest, end);
    }
    return results;
  };
}

void VotingMetrics::Sample(int64_t applied_watermark, const TallyBroadcaster::Stats& live) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    while (!unapplied_.empty() && unapplied_.front().first <= applied_watermark) unapplied_.pop_front();
    lag_ballots_.Set(unapplied_.empty() ? 0.0 : static_cast<double>(unapplied_.back().first - applied_watermark));
    lag_seconds_.Set(
        unapplied_.empty() ? 0.0 : std::chrono::duration<double>(Clock::now() - unapplied_.front().second).count());
  }
  watchers_.Set(static_cast<double>(live.subscribers));
  watched_districts_.Set(static_cast<double>(live.districts));
  if (live.frames > frames_seen_) frames_.Increment(static_cast<double>(live.frames - frames_seen_));
  frames_seen_ = live.frames;
}

}  // namespace bkk::voting
