// OperatorAuth on the in-memory store: keys, the bootstrap token, console
// sessions with their anti-CSRF token, roles, revocation and the audit trail.
#include "common/operators/operator_auth.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/operators/in_memory_operator_store.h"
#include "common/testing/status_matchers.h"

namespace bkk::operators {
namespace {

using ::bkk::testing::IsOk;
using ::bkk::testing::StatusIs;
using ::testing::HasSubstr;

class OperatorAuthTest : public ::testing::Test {
 protected:
  OperatorAuthTest() : auth_(&store_, "bootstrap-secret", absl::Hours(2), [this] { return now_; }) {}

  std::string Add(const std::string& name, const std::vector<Role>& roles) {
    auto added = auth_.AddOperator(name, roles, OperatorAuth::CommandLine());
    EXPECT_THAT(added.status(), IsOk());
    return added.ok() ? added->second : "";
  }
  static Caller Bearer(const std::string& key) { return Caller{key, "", "", "req-1"}; }

  absl::Time now_ = absl::FromUnixSeconds(1'800'000'000);
  InMemoryOperatorStore store_;
  OperatorAuth auth_;
};

TEST_F(OperatorAuthTest, TheBootstrapTokenWorksOnlyUntilTheFirstOperatorExists) {
  auto actor = auth_.Authorize(Bearer("bootstrap-secret"), {Role::kRoundAdmin}, Access::kWrite, "create a round");
  ASSERT_THAT(actor.status(), IsOk());
  EXPECT_EQ(actor->op.name, "bootstrap");
  Add("somchai", {Role::kModerator});
  EXPECT_THAT(auth_.Authorize(Bearer("bootstrap-secret"), {Role::kRoundAdmin}, Access::kWrite, "create a round"),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("stops working once an operator exists")));

  InMemoryOperatorStore empty;
  OperatorAuth off(&empty, "");
  EXPECT_THAT(off.Authorize(Bearer(""), {Role::kRoundAdmin}, Access::kRead, "x"),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(off.Authorize(Bearer("anything"), {Role::kRoundAdmin}, Access::kRead, "x"),
              StatusIs(absl::StatusCode::kUnauthenticated))
      << "an empty bootstrap token switches the bootstrap off";
}

TEST_F(OperatorAuthTest, KeysNameOperatorsAndRolesDecide) {
  const std::string moderator = Add("somchai", {Role::kModerator});
  const std::string admin = Add("malee", {Role::kRoundAdmin, Role::kModerator});
  EXPECT_TRUE(moderator.rfind("bkkop_", 0) == 0);
  EXPECT_NE(moderator, admin);
  auto m = auth_.Authorize(Bearer(moderator), {Role::kModerator}, Access::kWrite, "moderate a proposal");
  ASSERT_THAT(m.status(), IsOk());
  EXPECT_EQ(m->op.name, "somchai");
  EXPECT_EQ(m->role, Role::kModerator);
  EXPECT_EQ(m->request_id, "req-1");
  EXPECT_THAT(auth_.Authorize(Bearer(moderator), {Role::kRoundAdmin}, Access::kWrite, "advance a phase"),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       HasSubstr("operator somchai (moderator) may not advance a phase: that needs the round-admin "
                                 "role")));
  auto a = auth_.Authorize(Bearer(admin), {Role::kRoundAdmin, Role::kModerator}, Access::kWrite, "x");
  ASSERT_THAT(a.status(), IsOk());
  EXPECT_EQ(a->role, Role::kRoundAdmin) << "the first needed role the operator holds";
  EXPECT_THAT(auth_.Authorize(Bearer("bkkop_forged"), {Role::kModerator}, Access::kRead, "x"),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("unknown or revoked")));
  EXPECT_THAT(auth_.Authorize(Caller{}, {Role::kModerator}, Access::kRead, "x"),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("sign in")));
}

TEST_F(OperatorAuthTest, NamesAndRolesAreChecked) {
  EXPECT_THAT(auth_.AddOperator("Somchai Jaidee", {Role::kModerator}, OperatorAuth::CommandLine()).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("a-z, 0-9")));
  EXPECT_THAT(auth_.AddOperator("somchai", {}, OperatorAuth::CommandLine()).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at least one role")));
  Add("somchai", {Role::kModerator});
  EXPECT_THAT(auth_.AddOperator("somchai", {Role::kModerator}, OperatorAuth::CommandLine()).status(),
              StatusIs(absl::StatusCode::kAlreadyExists));
}

TEST_F(OperatorAuthTest, RevokingEndsTheKeyAndEverySessionAndFreesTheName) {
  const std::string key = Add("somchai", {Role::kModerator});
  auto signed_in = auth_.SignIn(key, "req-2");
  ASSERT_THAT(signed_in.status(), IsOk());
  ASSERT_THAT(auth_.RevokeOperator("somchai", OperatorAuth::CommandLine()), IsOk());
  EXPECT_THAT(auth_.Authorize(Bearer(key), {Role::kModerator}, Access::kRead, "x"),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(auth_.CurrentSession(Caller{"", signed_in->session_token, "", ""}).status(),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(auth_.RevokeOperator("somchai", OperatorAuth::CommandLine()), StatusIs(absl::StatusCode::kNotFound));
  const std::string again = Add("somchai", {Role::kRoundAdmin});
  EXPECT_NE(again, key);
}

TEST_F(OperatorAuthTest, ASessionReadsFreelyButChangesOnlyWithItsCsrfTokenAndExpires) {
  const std::string key = Add("malee", {Role::kRoundAdmin});
  EXPECT_THAT(auth_.SignIn("not-a-key", "r").status(), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(auth_.SignIn("bkkop_unknown", "r").status(), StatusIs(absl::StatusCode::kUnauthenticated));
  auto s = auth_.SignIn(key, "req-3");
  ASSERT_THAT(s.status(), IsOk());
  EXPECT_EQ(s->session.op.name, "malee");
  EXPECT_EQ(s->session.expires_at, now_ + absl::Hours(2));
  EXPECT_NE(s->session_token, s->session.csrf_token);
  Caller browser{"", s->session_token, "", "req-4"};
  EXPECT_THAT(auth_.Authorize(browser, {Role::kRoundAdmin}, Access::kRead, "list rounds").status(), IsOk());
  EXPECT_THAT(auth_.Authorize(browser, {Role::kRoundAdmin}, Access::kWrite, "create a round"),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("anti-CSRF")));
  browser.csrf = s->session.csrf_token + "x";
  EXPECT_THAT(auth_.Authorize(browser, {Role::kRoundAdmin}, Access::kWrite, "create a round"),
              StatusIs(absl::StatusCode::kPermissionDenied));
  browser.csrf = s->session.csrf_token;
  EXPECT_THAT(auth_.Authorize(browser, {Role::kRoundAdmin}, Access::kWrite, "create a round").status(), IsOk());
  now_ += absl::Hours(2);
  EXPECT_THAT(auth_.Authorize(browser, {Role::kRoundAdmin}, Access::kRead, "list rounds"),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("sign in again")));
}

TEST_F(OperatorAuthTest, SigningOutNeedsTheCsrfTokenAndEndsTheSession) {
  const std::string key = Add("malee", {Role::kRoundAdmin});
  auto s = auth_.SignIn(key, "r");
  ASSERT_THAT(s.status(), IsOk());
  Caller browser{"", s->session_token, "", "r"};
  EXPECT_THAT(auth_.SignOut(browser), StatusIs(absl::StatusCode::kPermissionDenied));
  browser.csrf = s->session.csrf_token;
  EXPECT_THAT(auth_.SignOut(browser), IsOk());
  EXPECT_THAT(auth_.CurrentSession(browser).status(), StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST_F(OperatorAuthTest, EveryStepIsInTheAuditLogWithItsOperator) {
  const std::string key = Add("malee", {Role::kRoundAdmin});
  auto s = auth_.SignIn(key, "req-9");
  ASSERT_THAT(s.status(), IsOk());
  ASSERT_THAT(auth_.SignOut(Caller{"", s->session_token, s->session.csrf_token, "req-10"}), IsOk());
  ASSERT_THAT(auth_.RevokeOperator("malee", OperatorAuth::CommandLine()), IsOk());
  auto log = store_.ListAudit(AuditQuery{});
  ASSERT_THAT(log.status(), IsOk());
  ASSERT_EQ(log->size(), 4u);
  EXPECT_EQ((*log)[3].action, "AddOperator");
  EXPECT_EQ((*log)[3].operator_name, "command-line");
  EXPECT_EQ((*log)[3].summary, "roles: round-admin");
  EXPECT_EQ((*log)[2].action, "SignIn");
  EXPECT_EQ((*log)[2].operator_name, "malee");
  EXPECT_EQ((*log)[2].request_id, "req-9");
  EXPECT_EQ((*log)[1].action, "SignOut");
  EXPECT_EQ((*log)[0].action, "RevokeOperator");
  EXPECT_EQ((*log)[0].target, "operator malee");
  AuditQuery by_malee;
  by_malee.operator_name = "malee";
  EXPECT_EQ(store_.ListAudit(by_malee)->size(), 2u);
}

}  // namespace
}  // namespace bkk::operators
