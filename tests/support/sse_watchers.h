// Many server-sent-event clients on one epoll loop (one thread), for the
// live-tally integration test and the fan-out benchmark: thousands of
// watchers cost a few megabytes and a fraction of a core, so the machine's
// time goes to what is measured. Each watcher behaves like a browser's
// EventSource: it sends Last-Event-ID when it reconnects after its stream
// ends, and keeps the progress mark and arrival time of every event.
//
// An event's mark is the number after "watermark":" in its data (the live
// tally's watermark, also what the benchmark publishes to nchan), else its
// numeric id; -1 when it has neither.
#ifndef BKK_TESTS_SUPPORT_SSE_WATCHERS_H_
#define BKK_TESTS_SUPPORT_SSE_WATCHERS_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace bkk::testing {

class SseWatchers final {
 public:
  struct Options {
    int port = 0;
    std::string target;  // "/v1/rounds/1/districts/1/tallies:watch"
    int count = 1;
    // Sockets are bound to 127.0.0.2, .3, … (this many), as if from
    // different machines: per-address limits and port ranges stay apart.
    int source_addresses = 1;
    int source_offset = 0;  // first address 127.0.0.(2 + source_offset)
    bool reconnect = true;
    std::chrono::milliseconds reconnect_delay{500};
    int max_connecting = 256;  // connects in flight at once
    // Nice value of the loop thread. A benchmark's watchers stand for
    // devices elsewhere: reading their events should not take the CPU the
    // measured server needs (they are on its machine only for want of another).
    int nice = 0;
  };

  struct Event {
    int64_t mark = -1;
    int64_t at_ns = 0;  // steady clock
  };

  struct Watcher {
    std::vector<Event> events;
    std::string last_data;
    int http_status = 0;  // of the latest response
    int connects = 0;     // successful stream starts
    int failures = 0;     // refused, non-200, or dropped
    bool streaming = false;
  };

  explicit SseWatchers(Options options);
  ~SseWatchers();
  SseWatchers(const SseWatchers&) = delete;
  SseWatchers& operator=(const SseWatchers&) = delete;

  // Connects every watcher (paced) on the loop thread.
  void Start();
  // Closes every connection and joins the loop thread.
  void Stop();

  // Watchers streaming now / whose newest event has mark >= `mark`.
  int Streaming() const;
  int AtLeast(int64_t mark) const;
  // Waits until `predicate(*this)` holds or the timeout passes.
  template <typename F>
  bool WaitUntil(F predicate, std::chrono::milliseconds timeout) const {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      if (predicate(*this)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return predicate(*this);
  }
  // A copy of every watcher's record (consistent, taken under the lock).
  std::vector<Watcher> Snapshot() const;
  // Drops the recorded events (between benchmark phases).
  void ClearEvents();

  static int64_t NowNs();

 private:
  struct Connection;
  void Run();

  const Options options_;
  mutable std::mutex mu_;  // guards watchers_
  std::vector<Watcher> watchers_;
  std::vector<std::unique_ptr<Connection>> connections_;
  int wake_fd_ = -1;
  std::thread thread_;
  std::atomic<bool> running_{false};
};

// The mark of an event's data: the digits after "watermark":" (or
// "watermark": for a number), -1 when absent.
int64_t WatermarkOf(const std::string& data);

}  // namespace bkk::testing

#endif  // BKK_TESTS_SUPPORT_SSE_WATCHERS_H_
