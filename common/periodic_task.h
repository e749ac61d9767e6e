// Runs a function on a thread of its own, again and again until stopped:
// the function returns how long to wait before its next run (its interval,
// or a shorter retry while something is not there yet). The first run is
// right away. Stop wakes the thread at once, so shutdown never waits out an
// interval. Use it for refreshers and pollers; work that must also run on
// demand belongs on a condition variable of its own.
#ifndef BKK_COMMON_PERIODIC_TASK_H_
#define BKK_COMMON_PERIODIC_TASK_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace bkk {

class PeriodicTask final {
 public:
  using Run = std::function<std::chrono::milliseconds()>;
  explicit PeriodicTask(Run run) : run_(std::move(run)) {}
  ~PeriodicTask() { Stop(); }
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  void Start() {
    thread_ = std::thread([this] {
      std::unique_lock<std::mutex> lock(mu_);
      while (!stopping_) {
        lock.unlock();
        const std::chrono::milliseconds wait = run_();
        lock.lock();
        cv_.wait_for(lock, wait, [this] { return stopping_; });
      }
    });
  }

  // Waits for a run in progress to finish; safe twice.
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  const Run run_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace bkk

#endif  // BKK_COMMON_PERIODIC_TASK_H_
