// Live tallies as a broadcast, not a query per viewer. Every stream watching
// a district subscribes to that district's entry; when the district's
// tallies move (a change from the tally applier or another replica) the
// entry's frame is computed once, at most every `push_interval`, and handed
// to every subscriber. Threads and database reads therefore grow with the
// number of districts being watched, never with the number of watchers.
//
// The frame is computed by an injected function (in production: read the
// tallies and encode the gRPC message once), which is what lets the unit
// test drive the broadcaster without a database.
//
// Subscribers must not block in OnFrame: a stream keeps only the newest
// frame while a write is in flight (bkk::LatestOnly), so a slow reader gets
// the latest state and never a growing queue.
#ifndef BKK_SERVICES_VOTING_CORE_TALLY_BROADCASTER_H_
#define BKK_SERVICES_VOTING_CORE_TALLY_BROADCASTER_H_

#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "absl/status/statusor.h"
#include "services/voting/core/tally_changes.h"

namespace bkk::voting {

// What every subscriber of a district receives. The compute function fills
// these fields and may extend the struct with the encoded message.
struct TallyFrame {
  virtual ~TallyFrame() = default;
  // Every ballot with id <= watermark is counted in this frame.
  int64_t watermark = 0;
  // Voting in the round is over: this is the district's last frame.
  bool voting_closed = false;
  // Read from PostgreSQL (Redis down or behind): looked at again sooner,
  // since no change messages arrive meanwhile.
  bool degraded = false;
  // What watchers see, watermark aside: a frame equal to the last one is
  // not sent again (a recheck that found nothing new).
  uint64_t content_hash = 0;
};

class TallyBroadcaster final {
 public:
  struct Key {
    int64_t round_id = 0;
    int32_t district_id = 0;
    int32_t limit = 0;  // top-N size, as the watcher asked
    bool operator<(const Key& o) const {
      if (round_id != o.round_id) return round_id < o.round_id;
      if (district_id != o.district_id) return district_id < o.district_id;
      return limit < o.limit;
    }
  };

  class Subscriber {
   public:
    virtual ~Subscriber() = default;
    // A newer frame of the district. Must not block.
    virtual void OnFrame(const std::shared_ptr<const TallyFrame>& frame) = 0;
    // The last call: OK after a closing frame, the shutdown status on Stop,
    // or why the district cannot be watched (unknown round, …).
    virtual void OnEnd(const absl::Status& status) = 0;
  };

  using Compute = std::function<absl::StatusOr<std::shared_ptr<const TallyFrame>>(const Key&)>;

  struct Options {
    // Frames of one district at most this often (BKK_TALLY_PUSH_MS).
    std::chrono::milliseconds push_interval{250};
    // Every watched district is recomputed this often even without news,
    // since pub/sub may lose a message; unchanged frames are not sent.
    std::chrono::milliseconds recheck_interval{5000};
    // While frames come from PostgreSQL, or after a failed compute.
    std::chrono::milliseconds degraded_recheck{1000};
  };

  struct Stats {
    size_t districts = 0;
    size_t subscribers = 0;
    uint64_t computes = 0;
    uint64_t frames = 0;  // distinct frames published
  };

  TallyBroadcaster(Compute compute, Options options);
  ~TallyBroadcaster();
  TallyBroadcaster(const TallyBroadcaster&) = delete;
  TallyBroadcaster& operator=(const TallyBroadcaster&) = delete;

  void Start();

  // Adds `subscriber` to the district's broadcast. It receives the current
  // frame at once when there is one (otherwise the first compute's). After
  // Stop it is ended at once and 0 is returned. Never call from OnFrame or
  // OnEnd.
  uint64_t Subscribe(const Key& key, std::shared_ptr<Subscriber> subscriber);
  // Removes a subscription (safe from any thread, inside OnFrame/OnEnd too,
  // and twice). A push already under way may still reach it once.
  void Unsubscribe(uint64_t handle);

  // News from the tally applier or the change feed.
  void OnChange(const TallyChange& change);
  // Change messages may have been lost: recompute every watched district.
  void RecheckAll();

  // Ends every subscriber with `why` and refuses new ones (SIGTERM).
  void Stop(const absl::Status& why);

  Stats stats() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Entry {
    std::map<uint64_t, std::shared_ptr<Subscriber>> subscribers;
    std::shared_ptr<const TallyFrame> frame;
    bool dirty = true;
    bool computing = false;
    Clock::time_point last_compute{};
    Clock::time_point not_before{};  // after a failed compute
    Clock::time_point recheck_at{};
  };

  void Run();
  Clock::time_point DueAt(const Entry& e) const;

  const Compute compute_;
  const Options options_;
  // Held while frames are handed out, so one subscriber never sees an older
  // frame after a newer one (Subscribe's first frame vs. a push).
  std::mutex delivery_mu_;
  mutable std::mutex mu_;  // guards everything below
  std::condition_variable cv_;
  std::map<Key, Entry> entries_;
  std::unordered_map<uint64_t, Key> handles_;
  uint64_t next_handle_ = 1;
  bool stopping_ = false;
  absl::Status stop_status_;
  uint64_t computes_ = 0;
  uint64_t frames_ = 0;
  std::thread thread_;
};

}  // namespace bkk::voting

#endif  // BKK_SERVICES_VOTING_CORE_TALLY_BROADCASTER_H_
