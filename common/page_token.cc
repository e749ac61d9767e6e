// Page tokens; see page_token.h.
#include "common/page_token.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace bkk {

namespace {
constexpr char kScheme[] = "p1";
}  // namespace

std::string EncodePageToken(const std::vector<std::string>& fields) {
  return absl::WebSafeBase64Escape(absl::StrCat(kScheme, "|", absl::StrJoin(fields, "|")));
}

absl::StatusOr<std::vector<std::string>> DecodePageToken(absl::string_view token, size_t field_count) {
  std::string raw;
  std::vector<std::string> parts;
  if (absl::WebSafeBase64Unescape(absl::string_view(token.data(), token.size()), &raw)) {
    parts = absl::StrSplit(raw, '|');
  }
  if (parts.size() != field_count + 1 || parts[0] != kScheme) return MalformedPageToken();
  parts.erase(parts.begin());
  return parts;
}

absl::Status MalformedPageToken() {
  return absl::InvalidArgumentError(
      "page_token is malformed; pass the next_page_token of a previous response unchanged, or leave it empty for "
      "the first page");
}

}  // namespace bkk
