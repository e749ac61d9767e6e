// Console session cookies; see console_session.h.
#include "gateway/core/console_session.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace bkk::gateway {
namespace {

bool IsTokenText(absl::string_view s) {
  if (s.empty() || s.size() > 256) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f && c != ';' && c != ','; });
}

std::string Attributes(int64_t max_age, bool secure) {
  return absl::StrCat("; Path=/v1/admin; Max-Age=", max_age, "; HttpOnly; SameSite=Strict", secure ? "; Secure" : "");
}

}  // namespace

std::string SessionTokenFrom(absl::string_view cookie_header) {
  for (absl::string_view pair : absl::StrSplit(cookie_header, ';')) {
    pair = absl::StripAsciiWhitespace(pair);
    const size_t eq = pair.find('=');
    if (eq == absl::string_view::npos || pair.substr(0, eq) != kSessionCookie) continue;
    absl::string_view value = pair.substr(eq + 1);
    return IsTokenText(value) ? std::string(value) : std::string();
  }
  return "";
}

std::string SessionCookie(absl::string_view token, int64_t max_age_seconds, bool secure) {
  return absl::StrCat(kSessionCookie, "=", token, Attributes(std::max<int64_t>(1, max_age_seconds), secure));
}

std::string ClearedSessionCookie(bool secure) { return absl::StrCat(kSessionCookie, "=", Attributes(0, secure)); }

}  // namespace bkk::gateway
