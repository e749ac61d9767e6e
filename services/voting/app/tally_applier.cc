// Redis tally catch-up loop; see tally_applier.h.
#include "services/voting/app/tally_applier.h"

#include <random>

#include "absl/strings/str_format.h"
#include "services/common/log.h"

namespace bkk::voting {
namespace {

constexpr int kChunk = 2000;
// A catch-up that found this many ballot ids is "under load".
constexpr int64_t kBusyBallots = 64;
constexpr std::chrono::milliseconds kBusyGap(5);

std::string NewEpoch() {
  std::random_device rd;
  return absl::StrFormat("%08x%08x", rd(), rd());
}

}  // namespace

TallyApplier::TallyApplier(VotingStore* store, RedisTallies* tallies, std::chrono::milliseconds interval)
    : store_(store), tallies_(tallies), interval_(interval) {}

TallyApplier::~TallyApplier() { Stop(); }

void TallyApplier::Start() { thread_ = std::thread([this] { Run(); }); }

void TallyApplier::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void TallyApplier::Notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    notified_ = true;
  }
  cv_.notify_one();
}

std::optional<std::string> TallyApplier::ReadableEpoch(int64_t max_lag) const {
  std::lock_guard<std::mutex> lock(state_mu_);
  if (!epoch_ || pg_max_.load() - watermark_.load() > max_lag) return std::nullopt;
  return epoch_;
}

absl::Status TallyApplier::CatchUp() {
  std::lock_guard<std::mutex> guard(apply_mu_);
  for (int attempts = 0; attempts < 10000; ++attempts) {
    auto state = tallies_->State();
    if (!state.ok()) {
      std::lock_guard<std::mutex> lock(state_mu_);
      epoch_.reset();
      return state.status();
    }
    bool create = !state->has_value();
    TallyState expected = create ? TallyState{NewEpoch(), 0} : **state;
    auto ballots = store_->BallotsAfter(expected.watermark, kChunk);
    if (!ballots.ok()) return ballots.status();
    if (ballots->empty()) {
      pg_max_ = expected.watermark;  // caught up with everything committed
      watermark_ = expected.watermark;
      std::lock_guard<std::mutex> lock(state_mu_);
      if (create) {
        epoch_.reset();  // nothing to count yet; reads come from PostgreSQL
      } else {
        epoch_ = expected.epoch;
      }
      return absl::OkStatus();
    }
    pg_max_ = std::max(pg_max_.load(), ballots->back().ballot_id);
    auto applied = tallies_->Apply(expected, create, *ballots);
    if (!applied.ok()) {
      std::lock_guard<std::mutex> lock(state_mu_);
      epoch_.reset();
      return applied.status();
    }
    if (*applied) {
      watermark_ = ballots->back().ballot_id;
      if (create) LogInfo("tallies_rebuilding", {{"epoch", expected.epoch}});
    }
    // Not applied: another replica moved the state first; read it again.
  }
  return absl::AbortedError("tally catch-up did not converge");
}

void TallyApplier::Run() {
  bool was_down = false;
  bool busy = false;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, interval_, [&] { return stopping_ || notified_; });
      // Under load commits arrive faster than they need applying one by
      // one: let a few gather, so one read and one script cover many groups.
      // At rest a ballot shows at once.
      if (busy) cv_.wait_for(lock, kBusyGap, [&] { return stopping_; });
      if (stopping_) return;
      notified_ = false;
    }
    const int64_t before = watermark_.load();
    auto s = CatchUp();
    busy = watermark_.load() - before >= kBusyBallots;
    if (!s.ok() && !was_down) LogWarning("tallies_unavailable", {{"error", std::string(s.message())}});
    if (s.ok() && was_down) LogInfo("tallies_recovered");
    was_down = !s.ok();
  }
}

}  // namespace bkk::voting
