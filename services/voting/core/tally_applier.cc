// Redis tally catch-up loop; see tally_applier.h.
#include "services/voting/core/tally_applier.h"

#include <random>

#include "absl/strings/str_format.h"
#include "common/log.h"
#include "common/status_macros.h"

namespace bkk::voting {
namespace {

constexpr int kChunk = 2000;
constexpr std::chrono::milliseconds kMinGap(10);

std::string NewEpoch() {
  std::random_device rd;
  return absl::StrFormat("%08x%08x", rd(), rd());
}

}  // namespace

TallyApplier::TallyApplier(VotingRepository* store, TallyStore* tallies, std::chrono::milliseconds interval,
                           OnApplied on_applied)
    : store_(store), tallies_(tallies), interval_(interval), on_applied_(std::move(on_applied)) {}

TallyApplier::~TallyApplier() { Stop(); }

void TallyApplier::Start() {
  thread_ = std::thread([this] { Run(); });
}

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
    ASSIGN_OR_RETURN(auto ballots, store_->BallotsAfter(expected.watermark, kChunk));
    if (ballots.empty()) {
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
    pg_max_ = std::max(pg_max_.load(), ballots.back().ballot_id);
    auto applied = tallies_->Apply(expected, create, ballots);
    if (!applied.ok()) {
      std::lock_guard<std::mutex> lock(state_mu_);
      epoch_.reset();
      return applied.status();
    }
    if (*applied) {
      watermark_ = ballots.back().ballot_id;
      if (create) LogInfo("tallies_rebuilding", {{"epoch", expected.epoch}});
      // A short chunk was everything committed as of its snapshot: caught
      // up, without another read to find nothing.
      const bool caught_up = ballots.size() < static_cast<size_t>(kChunk);
      if (caught_up) {
        std::lock_guard<std::mutex> lock(state_mu_);
        epoch_ = expected.epoch;
      }
      if (on_applied_) on_applied_(ChangeOf(ballots));
      if (caught_up) return absl::OkStatus();
    }
    // Not applied: another replica moved the state first; read it again.
  }
  return absl::AbortedError("tally catch-up did not converge");
}

void TallyApplier::Run() {
  bool was_down = false;
  auto last = std::chrono::steady_clock::now() - kMinGap;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, interval_, [&] { return stopping_ || notified_; });
      // At most one catch-up per kMinGap: under load one read and one script
      // cover many group commits; at rest a ballot shows at once.
      cv_.wait_until(lock, last + kMinGap, [&] { return stopping_; });
      if (stopping_) return;
      notified_ = false;
    }
    last = std::chrono::steady_clock::now();
    auto s = CatchUp();
    if (!s.ok() && !was_down) LogWarning("tallies_unavailable", {{"error", std::string(s.message())}});
    if (s.ok() && was_down) LogInfo("tallies_recovered");
    was_down = !s.ok();
  }
}

}  // namespace bkk::voting
