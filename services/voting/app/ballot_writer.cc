// Group commit for ballots; see ballot_writer.h.
#include "services/voting/app/ballot_writer.h"

namespace bkk::voting {

BallotWriter::BallotWriter(VotingStore* store, int max_batch, std::chrono::microseconds max_wait,
                           std::function<void()> on_commit)
    : store_(store), max_batch_(max_batch), max_wait_(max_wait), on_commit_(std::move(on_commit)) {
  thread_ = std::thread([this] { Run(); });
}

BallotWriter::~BallotWriter() { Stop(); }

std::future<BallotResult> BallotWriter::Submit(NewBallot ballot) {
  Pending p{std::move(ballot), {}};
  auto future = p.done.get_future();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      p.done.set_value({absl::UnavailableError("the voting service is shutting down; retry"), 0, "", false});
      return future;
    }
    queue_.push_back(std::move(p));
  }
  cv_.notify_one();
  return future;
}

void BallotWriter::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void BallotWriter::Run() {
  for (;;) {
    std::vector<Pending> group;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      // Let a group form: wait briefly for more unless it is already full.
      if (queue_.size() < max_batch_ && !stopping_) {
        cv_.wait_for(lock, max_wait_, [&] { return queue_.size() >= max_batch_ || stopping_; });
      }
      while (!queue_.empty() && group.size() < max_batch_) {
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    std::vector<NewBallot> ballots;
    ballots.reserve(group.size());
    for (auto& p : group) ballots.push_back(p.ballot);
    std::vector<BallotResult> results = store_->InsertBallots(ballots);
    ++groups_;
    for (size_t i = 0; i < group.size(); ++i) group[i].done.set_value(std::move(results[i]));
    if (on_commit_) on_commit_();
  }
}

}  // namespace bkk::voting
