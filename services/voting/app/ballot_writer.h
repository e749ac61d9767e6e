// Group commit for ballots. Handlers Submit() validated ballots with a
// completion callback and return at once (no thread waits). Each of a few
// writer threads gathers whatever arrived within `max_wait` (or up to
// `max_batch`), admits the group against the rate limits in one Redis round
// trip, stores it in one statement and one durable commit, then completes
// every ballot with its own result. Several writers form a pipeline: while
// one group waits for its fsync, the next is gathered and admitted, and the
// last one's replies are sent. Under load one fsync pays for many ballots;
// at rest a ballot waits about `max_wait`.
#ifndef BKK_SERVICES_VOTING_APP_BALLOT_WRITER_H_
#define BKK_SERVICES_VOTING_APP_BALLOT_WRITER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "services/voting/store/voting_store.h"

namespace bkk::voting {

// Rate-limit keys a ballot counts against, with their per-minute limits.
using RateKeys = std::vector<std::pair<std::string, int64_t>>;

class BallotWriter final {
 public:
  using Done = std::function<void(BallotResult)>;
  // Decides, for a whole group at once, which ballots may go ahead (OK) and
  // which are refused (e.g. RESOURCE_EXHAUSTED). May be empty.
  using Admit = std::function<std::vector<absl::Status>(const std::vector<const RateKeys*>&)>;

  // `on_commit` runs on a writer thread after each committed group.
  BallotWriter(VotingStore* store, int writers, int max_batch, std::chrono::microseconds max_wait, Admit admit,
               std::function<void()> on_commit);
  ~BallotWriter();

  // Queues a ballot; `done` runs on a writer thread once its group is
  // committed (or refused, or failed). After Stop(), runs at once with
  // UNAVAILABLE.
  void Submit(NewBallot ballot, RateKeys rate_keys, Done done);

  // Stops taking ballots, writes every queued one, then joins the threads:
  // nothing acknowledged or queued is dropped on SIGTERM.
  void Stop();

  int64_t groups() const { return groups_.load(); }

 private:
  struct Pending {
    NewBallot ballot;
    RateKeys rate_keys;
    Done done;
  };
  void Run();

  VotingStore* const store_;
  const size_t max_batch_;
  const std::chrono::microseconds max_wait_;
  const Admit admit_;
  const std::function<void()> on_commit_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::atomic<int64_t> groups_{0};
  std::vector<std::thread> threads_;
};

}  // namespace bkk::voting

#endif  // BKK_SERVICES_VOTING_APP_BALLOT_WRITER_H_
