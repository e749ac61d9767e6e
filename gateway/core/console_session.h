// The operator console's session on the HTTP side. The browser never holds
// an operator key after signing in: voting's SignIn answers a session token,
// which the gateway moves into a cookie scripts cannot read (HttpOnly),
// other sites cannot send (SameSite=Strict), and that is scoped to the admin
// API (Path=/v1/admin). Changes also need the session's anti-CSRF token in a
// header, which voting checks against the session.
#ifndef BKK_GATEWAY_CORE_CONSOLE_SESSION_H_
#define BKK_GATEWAY_CORE_CONSOLE_SESSION_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace bkk::gateway {

inline constexpr char kSessionCookie[] = "bkk_session";
inline constexpr char kCsrfHeader[] = "x-csrf-token";

// The session token in a Cookie header ("" when absent or malformed: a
// token is 1-256 printable ASCII characters without ';' or ',').
std::string SessionTokenFrom(absl::string_view cookie_header);

// Set-Cookie values: the session for `max_age_seconds` (at least 1), and
// its removal. `secure` adds Secure (served over https).
std::string SessionCookie(absl::string_view token, int64_t max_age_seconds, bool secure);
std::string ClearedSessionCookie(bool secure);

}  // namespace bkk::gateway

#endif  // BKK_GATEWAY_CORE_CONSOLE_SESSION_H_
