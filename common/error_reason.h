// Stable error reasons: the machine-readable half of a refusal. The message
// says in English what went wrong for operators and logs; the reason
// ("ALREADY_VOTED", with metadata such as {"district_id": "7"}) lets a client
// word it in its reader's language. Reasons never change meaning once
// published; the web app's dictionary has one text per reason
// (gateway/web/src/strings.ts, keys "reason.*").
//
// Cores attach reasons with WithReason; the gRPC boundary (grpc_status.h)
// carries them as google.rpc.ErrorInfo in the status details, and the gateway
// puts them in the JSON error body as "reason" and "metadata".
#ifndef BKK_COMMON_ERROR_REASON_H_
#define BKK_COMMON_ERROR_REASON_H_

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace bkk {

// The ErrorInfo domain of every reason this project defines.
inline constexpr char kErrorDomain[] = "bkkbudget";

struct ErrorReason {
  std::string reason;  // UPPER_SNAKE, at most 63 characters
  std::map<std::string, std::string> metadata;
};

// `status` with `reason` (and metadata) attached; OK stays OK.
absl::Status WithReason(absl::Status status, absl::string_view reason,
                        std::initializer_list<std::pair<absl::string_view, std::string>> metadata = {});

// The reason attached to `status`, if any.
std::optional<ErrorReason> ReasonOf(const absl::Status& status);

}  // namespace bkk

#endif  // BKK_COMMON_ERROR_REASON_H_
