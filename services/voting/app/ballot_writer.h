// Group commit for ballots. Handlers Submit() validated ballots and wait; one
// writer thread gathers whatever arrived within `max_wait` (or up to
// `max_batch`), stores them in one multi-row INSERT and one durable commit,
// then completes every waiting call with its own result. Under load one fsync
// pays for hundreds of ballots; at rest a ballot waits about `max_wait`.
#ifndef BKK_SERVICES_VOTING_APP_BALLOT_WRITER_H_
#define BKK_SERVICES_VOTING_APP_BALLOT_WRITER_H_

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

#include "services/voting/store/voting_store.h"

namespace bkk::voting {

class BallotWriter final {
 public:
  // `on_commit` runs on the writer thread after each committed group.
  BallotWriter(VotingStore* store, int max_batch, std::chrono::microseconds max_wait,
               std::function<void()> on_commit);
  ~BallotWriter();

  // Queues a ballot; the future completes once its group is committed (or
  // failed). After Stop(), completes at once with UNAVAILABLE.
  std::future<BallotResult> Submit(NewBallot ballot);

  // Stops taking ballots, writes every queued one, then joins the thread:
  // nothing acknowledged or queued is dropped on SIGTERM.
  void Stop();

  // Groups committed so far, and ballots in them (for metrics and tests).
  int64_t groups() const { return groups_.load(); }

 private:
  struct Pending {
    NewBallot ballot;
    std::promise<BallotResult> done;
  };
  void Run();

  VotingStore* const store_;
  const size_t max_batch_;
  const std::chrono::microseconds max_wait_;
  const std::function<void()> on_commit_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::atomic<int64_t> groups_{0};
  std::thread thread_;
};

}  // namespace bkk::voting

#endif  // BKK_SERVICES_VOTING_APP_BALLOT_WRITER_H_
