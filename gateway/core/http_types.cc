// Header lookups for the gateway's HTTP shapes; see http_types.h.
#include "gateway/core/http_types.h"

#include "gateway/core/text.h"

namespace bkk::gateway {

bool HeaderNameEquals(absl::string_view a, absl::string_view b) { return AsciiEqualsIgnoreCase(a, b); }

absl::string_view HttpRequest::Header(absl::string_view name) const {
  for (const auto& h : headers) {
    if (HeaderNameEquals(h.name, name)) return h.value;
  }
  return {};
}

bool HttpRequest::HasHeader(absl::string_view name) const {
  for (const auto& h : headers) {
    if (HeaderNameEquals(h.name, name)) return true;
  }
  return false;
}

void HttpResponse::SetHeader(absl::string_view name, std::string value) {
  for (auto& h : headers) {
    if (HeaderNameEquals(h.name, name)) {
      h.value = std::move(value);
      return;
    }
  }
  headers.push_back({std::string(name), std::move(value)});
}

absl::string_view HttpResponse::Header(absl::string_view name) const {
  for (const auto& h : headers) {
    if (HeaderNameEquals(h.name, name)) return h.value;
  }
  return {};
}

}  // namespace bkk::gateway
