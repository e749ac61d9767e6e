// Keeps the Redis tallies equal to PostgreSQL's ballots: after every group
// commit (Notify) and every `interval`, it applies the ballots above Redis's
// watermark in id order, a chunk per atomic script. On start, after a Redis
// flush or restart, or after a crash between commit and apply, the same loop
// catches up (rebuilding from ballot 0 when Redis has no state). Each chunk
// it applies is announced to `on_applied` in this process (the apply script
// announces it to the other replicas through Redis).
#ifndef BKK_SERVICES_VOTING_CORE_TALLY_APPLIER_H_
#define BKK_SERVICES_VOTING_CORE_TALLY_APPLIER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "services/voting/core/repository.h"
#include "services/voting/core/tally_changes.h"
#include "services/voting/core/tally_store.h"

namespace bkk::voting {

class TallyApplier final {
 public:
  using OnApplied = std::function<void(const TallyChange&)>;
  TallyApplier(VotingRepository* store, TallyStore* tallies, std::chrono::milliseconds interval,
               OnApplied on_applied = nullptr);
  ~TallyApplier();

  void Start();
  void Stop();
  // Wakes the loop (called after each commit).
  void Notify();
  // Applies until Redis has every committed ballot; for tests and start-up.
  absl::Status CatchUp();
  // The epoch to read tallies from when Redis is up and caught up to within
  // `max_lag` ballots of PostgreSQL's last seen id; nullopt means "read from
  // PostgreSQL".
  std::optional<std::string> ReadableEpoch(int64_t max_lag = 1000) const;
  int64_t applied_watermark() const { return watermark_.load(); }

 private:
  void Run();

  VotingRepository* const store_;
  TallyStore* const tallies_;
  const std::chrono::milliseconds interval_;
  const OnApplied on_applied_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool notified_ = false;
  std::thread thread_;
  mutable std::mutex state_mu_;
  std::optional<std::string> epoch_;  // nullopt while Redis is down or empty
  std::atomic<int64_t> watermark_{0};
  std::atomic<int64_t> pg_max_{0};
  std::mutex apply_mu_;  // one catch-up at a time in this process
};

}  // namespace bkk::voting

#endif  // BKK_SERVICES_VOTING_CORE_TALLY_APPLIER_H_
