// Group commit for ballots. Handlers Submit() validated ballots with a
// completion callback and return at once (no thread waits). Three stages,
// each one thread, pass groups along so that no stage waits for another's
// round trip:
//   admit:  whatever arrived (waiting at most `max_wait` for company) is
//           checked against the rate limits in one Redis round trip;
//   commit: everything admitted since the last commit is stored in one
//           statement and one durable commit;
//   reply:  every ballot's callback runs with its own result.
// So one group is admitted while the previous one commits and the one
// before that is answered; under load one fsync pays for many ballots, at
// rest a ballot waits about `max_wait`.
#ifndef BKK_SERVICES_VOTING_CORE_BALLOT_WRITER_H_
#define BKK_SERVICES_VOTING_CORE_BALLOT_WRITER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "services/voting/core/model.h"

namespace bkk::voting {

// Rate-limit keys a ballot counts against, with their per-minute limits.
using RateKeys = std::vector<std::pair<std::string, int64_t>>;

class BallotWriter final {
 public:
  using Done = std::function<void(BallotResult)>;
  // Stores a group durably and returns one result per ballot, in order
  // (VotingStore::InsertBallots in the service).
  using Commit = std::function<std::vector<BallotResult>(const std::vector<NewBallot>&)>;
  // Decides, for a whole group at once, which ballots may go ahead (OK) and
  // which are refused (e.g. RESOURCE_EXHAUSTED). May be empty.
  using Admit = std::function<std::vector<absl::Status>(const std::vector<const RateKeys*>&)>;

  // `on_commit` runs on the commit thread after each committed group.
  BallotWriter(Commit commit, int max_batch, std::chrono::microseconds max_wait, Admit admit,
               std::function<void()> on_commit);
  ~BallotWriter();

  // Queues a ballot; `done` runs on the reply thread once its group is
  // committed (or refused, or failed). After Stop(), runs at once with
  // UNAVAILABLE.
  void Submit(NewBallot ballot, RateKeys rate_keys, Done done);

  // Stops taking ballots, admits, writes and answers every queued one, then
  // joins the threads: nothing acknowledged or queued is dropped on SIGTERM.
  void Stop();

  int64_t groups() const { return groups_.load(); }

 private:
  using Clock = std::chrono::steady_clock;
  struct Pending {
    NewBallot ballot;
    RateKeys rate_keys;
    Done done;
  };
  struct Reply {
    Done done;
    BallotResult result;
  };

  // A queue between two stages. Take() blocks for the first item, then
  // returns everything there (up to `max`), after waiting until the oldest
  // item is `hold` old for more to gather. Empty only once closed and drained.
  template <typename T>
  class Stage {
   public:
    // Moves `item` in and returns true, or leaves it untouched and returns
    // false once the stage is closed.
    bool TryPush(T& item);
    void PushAll(std::vector<T> items);
    std::vector<T> Take(size_t max, std::chrono::microseconds hold);
    void Close();

   private:
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::pair<Clock::time_point, T>> items_;
    bool closed_ = false;
  };

  static void LogGroup(const std::vector<NewBallot>& ballots, const std::vector<BallotResult>& results);
  void AdmitLoop();
  void CommitLoop();
  void ReplyLoop();

  const Commit commit_;
  const size_t max_batch_;
  const std::chrono::microseconds max_wait_;
  const Admit admit_;
  const std::function<void()> on_commit_;
  Stage<Pending> submitted_;
  Stage<Pending> admitted_;
  Stage<Reply> replies_;
  std::atomic<int64_t> groups_{0};
  std::mutex stop_mu_;
  std::vector<std::thread> threads_;
};

}  // namespace bkk::voting

#endif  // BKK_SERVICES_VOTING_CORE_BALLOT_WRITER_H_
