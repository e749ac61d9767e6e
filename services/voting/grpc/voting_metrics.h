// voting's own metrics, beside the per-RPC ones every service has
// (common/metrics.h). What an operator watches on voting day:
//   bkk_ballots_committed_total            ballots stored durably (not replays)
//   bkk_ballot_commit_failures_total       ballots whose group commit failed
//   bkk_ballot_group_size                  histogram: ballots per group commit
//   bkk_ballot_commit_seconds              histogram: one group's commit
//   bkk_tally_lag_ballots / _seconds       committed here but not yet in Redis
//   bkk_tally_watchers, bkk_tally_watched_districts, bkk_tally_frames_total
// The commit numbers come from wrapping the ballot writer's injected commit
// function; the gauges are sampled once a second.
#ifndef BKK_SERVICES_VOTING_GRPC_VOTING_METRICS_H_
#define BKK_SERVICES_VOTING_GRPC_VOTING_METRICS_H_

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <utility>

#include "common/metrics.h"
#include "services/voting/core/ballot_writer.h"
#include "services/voting/core/tally_broadcaster.h"

namespace bkk::voting {

class VotingMetrics final {
 public:
  explicit VotingMetrics(prometheus::Registry& registry);

  // `commit`, counted and timed.
  BallotWriter::Commit Instrument(BallotWriter::Commit commit);

  // Reads the tally watermark and the live-tally stats into the gauges.
  void Sample(int64_t applied_watermark, const TallyBroadcaster::Stats& live);

 private:
  using Clock = std::chrono::steady_clock;
  prometheus::Counter& committed_;
  prometheus::Counter& failures_;
  prometheus::Histogram& group_size_;
  prometheus::Histogram& commit_seconds_;
  prometheus::Gauge& lag_ballots_;
  prometheus::Gauge& lag_seconds_;
  prometheus::Gauge& watchers_;
  prometheus::Gauge& watched_districts_;
  prometheus::Counter& frames_;
  uint64_t frames_seen_ = 0;
  // Highest ballot id of each committed group with its time, until the
  // tallies have it: the oldest one left is how far behind Redis is.
  std::mutex mu_;
  std::deque<std::pair<int64_t, Clock::time_point>> unapplied_;
};

}  // namespace bkk::voting

#endif  // BKK_SERVICES_VOTING_GRPC_VOTING_METRICS_H_
