// A hash that is the same in every process, replica and run (FNV-1a, 64
// bits), for values that leave the process: ETags, page-token fingerprints.
// absl::Hash and std::hash promise no such thing; never use this one for
// hash tables under attacker-chosen keys.
#ifndef BKK_COMMON_STABLE_HASH_H_
#define BKK_COMMON_STABLE_HASH_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace bkk {

class StableHasher final {
 public:
  // Adds `bytes` and a separator, so ("ab", "c") and ("a", "bc") differ.
  StableHasher& Add(absl::string_view bytes) {
    AddRaw(bytes);
    Mix(0xFF);
    return *this;
  }
  StableHasher& Add(int64_t value) { return Add(std::to_string(value)); }
  // Adds `bytes` with no separator.
  StableHasher& AddRaw(absl::string_view bytes) {
    for (unsigned char c : bytes) Mix(c);
    return *this;
  }
  uint64_t hash() const { return hash_; }

 private:
  void Mix(unsigned char c) { hash_ = (hash_ ^ c) * 1099511628211ULL; }
  uint64_t hash_ = 1469598103934665603ULL;
};

// FNV-1a of `bytes` alone.
inline uint64_t StableHash64(absl::string_view bytes) { return StableHasher().AddRaw(bytes).hash(); }

}  // namespace bkk

#endif  // BKK_COMMON_STABLE_HASH_H_
