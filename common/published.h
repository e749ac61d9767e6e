// An immutable value published by swapping one pointer: readers take the
// current std::shared_ptr<const T> and keep using it however long they need,
// while a writer builds the next one off to the side and publishes it. Use it
// for anything rebuilt whole and read often (a dataset snapshot, an index);
// never mutate a published value.
#ifndef BKK_COMMON_PUBLISHED_H_
#define BKK_COMMON_PUBLISHED_H_

#include <memory>
#include <mutex>
#include <utility>

namespace bkk {

template <typename T>
class Published final {
 public:
  // The current value; nullptr before the first Publish.
  std::shared_ptr<const T> Get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return value_;
  }
  // Makes `value` current; returns the one it replaced.
  std::shared_ptr<const T> Publish(std::shared_ptr<const T> value) {
    std::lock_guard<std::mutex> lock(mu_);
    std::swap(value_, value);
    return value;
  }

 private:
  mutable std::mutex mu_;  // held only to copy or swap the pointer
  std::shared_ptr<const T> value_;
};

}  // namespace bkk

#endif  // BKK_COMMON_PUBLISHED_H_
