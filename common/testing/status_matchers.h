// gMock matchers for absl::Status and absl::StatusOr<T>, so a test says what
// it expects of a failure, not merely that something failed:
//
//   EXPECT_THAT(app.GetRound(9), StatusIs(absl::StatusCode::kNotFound, HasSubstr("round_id 9")));
//   EXPECT_THAT(store.Migrate(), IsOk());
//
// On a mismatch the failure message shows the actual code and message.
#ifndef BKK_COMMON_TESTING_STATUS_MATCHERS_H_
#define BKK_COMMON_TESTING_STATUS_MATCHERS_H_

#include <gmock/gmock.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace bkk::testing {

inline const absl::Status& StatusOf(const absl::Status& status) { return status; }
template <typename T>
const absl::Status& StatusOf(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

MATCHER(IsOk, "is OK") {
  const absl::Status& s = StatusOf(arg);
  if (!s.ok()) *result_listener << "the status is " << s.ToString();
  return s.ok();
}

MATCHER_P(StatusIs, code, "has status code " + absl::StatusCodeToString(code)) {
  const absl::Status& s = StatusOf(arg);
  *result_listener << "the status is " << s.ToString();
  return s.code() == code;
}

MATCHER_P2(StatusIs, code, message_matcher,
           "has status code " + absl::StatusCodeToString(code) + " and a message that " +
               ::testing::DescribeMatcher<std::string>(message_matcher)) {
  const absl::Status& s = StatusOf(arg);
  *result_listener << "the status is " << s.ToString();
  return s.code() == code &&
         ::testing::Matches(::testing::SafeMatcherCast<std::string>(message_matcher))(std::string(s.message()));
}

}  // namespace bkk::testing

#endif  // BKK_COMMON_TESTING_STATUS_MATCHERS_H_
