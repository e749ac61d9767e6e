// Group commit for ballots; see ballot_writer.h.
#include "services/voting/core/ballot_writer.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace bkk::voting {

template <typename T>
bool BallotWriter::Stage<T>::TryPush(T& item) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return false;
    items_.emplace_back(Clock::now(), std::move(item));
  }
  cv_.notify_one();
  return true;
}

template <typename T>
void BallotWriter::Stage<T>::PushAll(std::vector<T> items) {
  if (items.empty()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const auto now = Clock::now();
    for (auto& item : items) items_.emplace_back(now, std::move(item));
  }
  cv_.notify_one();
}

template <typename T>
std::vector<T> BallotWriter::Stage<T>::Take(size_t max, std::chrono::microseconds hold) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return closed_ || !items_.empty(); });
  // Wait for company only until the oldest item is `hold` old: items that
  // piled up during the last round trip have waited already and go at once.
  if (hold.count() > 0 && !closed_ && items_.size() < max) {
    cv_.wait_until(lock, items_.front().first + hold, [&] { return closed_ || items_.size() >= max; });
  }
  std::vector<T> out;
  while (!items_.empty() && out.size() < max) {
    out.push_back(std::move(items_.front().second));
    items_.pop_front();
  }
  return out;
}

template <typename T>
void BallotWriter::Stage<T>::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

BallotWriter::BallotWriter(Commit commit, int max_batch, std::chrono::microseconds max_wait, Admit admit,
                           std::function<void()> on_commit)
    : commit_(std::move(commit)),
      max_batch_(std::max(1, max_batch)),
      max_wait_(max_wait),
      admit_(std::move(admit)),
      on_commit_(std::move(on_commit)) {
  threads_.emplace_back([this] { AdmitLoop(); });
  threads_.emplace_back([this] { CommitLoop(); });
  threads_.emplace_back([this] { ReplyLoop(); });
}

BallotWriter::~BallotWriter() { Stop(); }

void BallotWriter::Submit(NewBallot ballot, RateKeys rate_keys, Done done) {
  Pending pending{std::move(ballot), std::move(rate_keys), std::move(done)};
  if (!submitted_.TryPush(pending)) {
    pending.done({absl::UnavailableError("the voting service is shutting down; retry"), 0, "", false});
  }
}

void BallotWriter::Stop() {
  // Each stage closes the next once it has drained its own queue.
  std::lock_guard<std::mutex> lock(stop_mu_);
  submitted_.Close();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void BallotWriter::AdmitLoop() {
  for (;;) {
    std::vector<Pending> group = submitted_.Take(max_batch_, max_wait_);
    if (group.empty()) break;
    std::vector<absl::Status> verdicts(group.size());
    if (admit_) {
      std::vector<const RateKeys*> keys;
      keys.reserve(group.size());
      for (const auto& p : group) keys.push_back(&p.rate_keys);
      verdicts = admit_(keys);
    }
    std::vector<Pending> admitted;
    std::vector<Reply> refused;
    for (size_t i = 0; i < group.size(); ++i) {
      if (verdicts[i].ok()) {
        admitted.push_back(std::move(group[i]));
      } else {
        refused.push_back({std::move(group[i].done), {verdicts[i], 0, "", false}});
      }
    }
    replies_.PushAll(std::move(refused));
    admitted_.PushAll(std::move(admitted));
  }
  admitted_.Close();
}

// One line per group, naming each ballot's trace next to its id (or its
// refusal), so a grep of a request's trace_id finds where its ballot was
// stored; failures of the whole group are warnings.
void BallotWriter::LogGroup(const std::vector<NewBallot>& ballots, const std::vector<BallotResult>& results) {
  std::string traces;
  size_t stored = 0, failed = 0;
  absl::Status failure;
  for (size_t i = 0; i < ballots.size(); ++i) {
    const BallotResult& r = results[i];
    if (i > 0) traces.push_back(',');
    absl::StrAppend(&traces, ballots[i].trace_id.empty() ? "-" : ballots[i].trace_id, ":");
    if (r.status.ok()) {
      absl::StrAppend(&traces, r.ballot_id);
      if (!r.replayed) ++stored;
    } else {
      traces += absl::StatusCodeToString(r.status.code());
      if (r.status.code() == absl::StatusCode::kUnavailable || r.status.code() == absl::StatusCode::kInternal) {
        ++failed;
        failure = r.status;
      }
    }
  }
  if (failed > 0) {
    LogWarning("ballot_group_failed", {{"ballots", std::to_string(ballots.size())},
                                       {"failed", std::to_string(failed)},
                                       {"error", std::string(failure.message())},
                                       {"trace_ids", std::move(traces)}});
  } else {
    LogInfo("ballot_group_committed", {{"ballots", std::to_string(ballots.size())},
                                       {"stored", std::to_string(stored)},
                                       {"trace_ids", std::move(traces)}});
  }
}

void BallotWriter::CommitLoop() {
  for (;;) {
    // No extra wait here: what was admitted during the last commit is the group.
    std::vector<Pending> group = admitted_.Take(max_batch_, std::chrono::microseconds(0));
    if (group.empty()) break;
    std::vector<NewBallot> ballots;
    ballots.reserve(group.size());
    for (const auto& p : group) ballots.push_back(p.ballot);
    std::vector<BallotResult> results = commit_(ballots);
    ++groups_;
    LogGroup(ballots, results);
    std::vector<Reply> replies;
    replies.reserve(group.size());
    for (size_t i = 0; i < group.size(); ++i) replies.push_back({std::move(group[i].done), std::move(results[i])});
    replies_.PushAll(std::move(replies));
    if (on_commit_) on_commit_();
  }
  replies_.Close();
}

void BallotWriter::ReplyLoop() {
  for (;;) {
    std::vector<Reply> replies = replies_.Take(SIZE_MAX, std::chrono::microseconds(0));
    if (replies.empty()) break;
    for (auto& r : replies) r.done(std::move(r.result));
  }
}

}  // namespace bkk::voting
