// A one-deep mailbox for a writer that allows one write in flight: while a
// write is out, a newer value replaces the waiting one instead of queueing
// behind it. A slow reader of a live view gets the latest state, and memory
// per reader never grows with how far behind it is. Used by voting's live
// tally streams and the gateway's SSE clients.
//
// Not thread-safe: callers keep it under the same lock as the rest of their
// stream state, decide under the lock and write outside it.
#ifndef BKK_SERVICES_COMMON_LATEST_ONLY_H_
#define BKK_SERVICES_COMMON_LATEST_ONLY_H_

#include <optional>
#include <utility>

namespace bkk {

template <typename T>
class LatestOnly final {
 public:
  // Returns `value` when the caller should write it now (nothing in flight);
  // otherwise keeps it as the next write, dropping any older waiting value.
  std::optional<T> Offer(T value) {
    if (writing_) {
      if (waiting_) ++replaced_;
      waiting_ = std::move(value);
      return std::nullopt;
    }
    writing_ = true;
    return value;
  }

  // The write in flight is done: returns the next value to write, if any.
  std::optional<T> WriteDone() {
    if (!waiting_) {
      writing_ = false;
      return std::nullopt;
    }
    std::optional<T> next = std::move(waiting_);
    waiting_.reset();
    return next;
  }

  bool writing() const { return writing_; }
  bool has_waiting() const { return waiting_.has_value(); }
  // How many waiting values a newer one replaced (coalesced away).
  uint64_t replaced() const { return replaced_; }

 private:
  bool writing_ = false;
  std::optional<T> waiting_;
  uint64_t replaced_ = 0;
};

}  // namespace bkk

#endif  // BKK_SERVICES_COMMON_LATEST_ONLY_H_
