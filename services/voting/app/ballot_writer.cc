// Group commit for ballots; see ballot_writer.h.
#include "services/voting/app/ballot_writer.h"

#include <algorithm>

namespace bkk::voting {

BallotWriter::BallotWriter(VotingStore* store, int writers, int max_batch, std::chrono::microseconds max_wait,
                           Admit admit, std::function<void()> on_commit)
    : store_(store),
      max_batch_(max_batch),
      max_wait_(max_wait),
      admit_(std::move(admit)),
      on_commit_(std::move(on_commit)) {
  for (int i = 0; i < std::max(1, writers); ++i) threads_.emplace_back([this] { Run(); });
}

BallotWriter::~BallotWriter() { Stop(); }

void BallotWriter::Submit(NewBallot ballot, RateKeys rate_keys, Done done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      queue_.push_back({std::move(ballot), std::move(rate_keys), std::move(done)});
      if (queue_.size() == 1 || queue_.size() >= max_batch_) cv_.notify_one();
      return;
    }
  }
  done({absl::UnavailableError("the voting service is shutting down; retry"), 0, "", false});
}

void BallotWriter::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
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
    if (group.empty()) continue;  // another writer took them
    std::vector<absl::Status> admitted(group.size());
    if (admit_) {
      std::vector<const RateKeys*> keys;
      for (const auto& p : group) keys.push_back(&p.rate_keys);
      admitted = admit_(keys);
    }
    std::vector<NewBallot> ballots;
    std::vector<size_t> index;
    for (size_t i = 0; i < group.size(); ++i) {
      if (!admitted[i].ok()) continue;
      ballots.push_back(group[i].ballot);
      index.push_back(i);
    }
    std::vector<BallotResult> results = store_->InsertBallots(ballots);
    ++groups_;
    for (size_t i = 0; i < group.size(); ++i) {
      if (!admitted[i].ok()) group[i].done({admitted[i], 0, "", false});
    }
    for (size_t k = 0; k < index.size(); ++k) group[index[k]].done(std::move(results[k]));
    if (on_commit_) on_commit_();
  }
}

}  // namespace bkk::voting
