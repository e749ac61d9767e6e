// Error reasons as absl::Status payloads; see error_reason.h.
#include "common/error_reason.h"

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace bkk {
namespace {

// Payload type URLs: one for the reason, one per metadata key. Plain strings
// keep the cores free of protobuf; grpc_status.cc turns them into ErrorInfo.
constexpr char kReasonUrl[] = "bkkbudget/error-reason";
constexpr char kMetadataUrlPrefix[] = "bkkbudget/error-reason/";

}  // namespace

absl::Status WithReason(absl::Status status, absl::string_view reason,
                        std::initializer_list<std::pair<absl::string_view, std::string>> metadata) {
  if (status.ok()) return status;
  status.SetPayload(kReasonUrl, absl::Cord(reason));
  for (const auto& [key, value] : metadata) status.SetPayload(absl::StrCat(kMetadataUrlPrefix, key), absl::Cord(value));
  return status;
}

std::optional<ErrorReason> ReasonOf(const absl::Status& status) {
  auto reason = status.GetPayload(kReasonUrl);
  if (!reason.has_value()) return std::nullopt;
  ErrorReason out{std::string(*reason), {}};
  status.ForEachPayload([&out](absl::string_view url, const absl::Cord& value) {
    if (absl::ConsumePrefix(&url, kMetadataUrlPrefix)) out.metadata[std::string(url)] = std::string(value);
  });
  return out;
}

}  // namespace bkk
