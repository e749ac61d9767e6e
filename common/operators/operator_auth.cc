// Operator authentication and roles; see operator_auth.h.
#include "common/operators/operator_auth.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/crypto.h"
#include "common/error_reason.h"
#include "common/sha256.h"
#include "common/status_macros.h"

namespace bkk::operators {
namespace {

constexpr absl::string_view kKeyPrefix = "bkkop_";

std::string NeededRoles(std::initializer_list<Role> any_of) {
  std::string out;
  for (Role r : any_of) absl::StrAppend(&out, out.empty() ? "" : " or ", RoleName(r));
  return out;
}

absl::Status CheckName(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 64;
  for (char c : name) {
    if (!(absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '.' || c == '_' || c == '-')) ok = false;
  }
  if (!ok) {
    return absl::InvalidArgumentError(
        absl::StrCat("operator name \"", name, "\" must be 1-64 characters of a-z, 0-9, '.', '_' or '-'"));
  }
  return absl::OkStatus();
}

}  // namespace

std::string HashSecret(absl::string_view secret) { return Sha256Hex(secret); }

namespace {

// Said by both the call check and the session check.
absl::Status SessionEnded() {
  return WithReason(absl::UnauthenticatedError("the console session has ended; sign in again with your operator key"),
                    "SESSION_ENDED");
}

}  // namespace

OperatorAuth::OperatorAuth(OperatorStore* store, std::string bootstrap_token, absl::Duration session_ttl, Clock clock)
    : store_(store),
      bootstrap_token_(std::move(bootstrap_token)),
      session_ttl_(session_ttl),
      clock_(std::move(clock)) {}

Actor OperatorAuth::CommandLine() {
  Actor a;
  a.op.name = "command-line";
  a.op.bootstrap = true;
  a.role = Role::kRoundAdmin;
  return a;
}

absl::StatusOr<Operator> OperatorAuth::Identify(const Caller& caller, Access access) const {
  if (!caller.bearer.empty()) {
    if (!bootstrap_token_.empty() && ConstantTimeEquals(caller.bearer, bootstrap_token_)) {
      ASSIGN_OR_RETURN(int64_t operators, store_->CountOperators());
      if (operators > 0) {
        return WithReason(absl::PermissionDeniedError(
                              "the bootstrap token stops working once an operator exists; sign in with your operator "
                              "key (created by `voting operator add NAME --role ROLE`)"),
                          "BOOTSTRAP_TOKEN_RETIRED");
      }
      Operator bootstrap;
      bootstrap.name = "bootstrap";
      bootstrap.bootstrap = true;
      return bootstrap;
    }
    auto found = store_->FindByKeyHash(HashSecret(caller.bearer));
    if (absl::IsNotFound(found.status())) {
      return WithReason(absl::UnauthenticatedError(
                            "this operator key is unknown or revoked; ask for a new one (`voting operator add`)"),
                        "OPERATOR_KEY_UNKNOWN");
    }
    return found;
  }
  if (!caller.session.empty()) {
    auto session = store_->FindSession(HashSecret(caller.session), clock_());
    if (absl::IsNotFound(session.status())) {
      return SessionEnded();
    }
    RETURN_IF_ERROR(session.status());
    if (access == Access::kWrite && !ConstantTimeEquals(caller.csrf, session->csrf_token)) {
      return WithReason(
          absl::PermissionDeniedError(
              "the anti-CSRF token is missing or wrong for this session; reload the console and try again"),
          "CSRF_TOKEN_INVALID");
    }
    return session->op;
  }
  return WithReason(absl::UnauthenticatedError("this is an operator action: sign in to the console, or send "
                                               "`authorization: Bearer <operator key>`"),
                    "NOT_SIGNED_IN");
}

absl::StatusOr<Actor> OperatorAuth::Authorize(const Caller& caller, std::initializer_list<Role> any_of, Access access,
                                              absl::string_view action) const {
  ASSIGN_OR_RETURN(Operator op, Identify(caller, access));
  for (Role role : any_of) {
    if (op.Has(role)) return Actor{std::move(op), role, caller.request_id};
  }
  return WithReason(
      absl::PermissionDeniedError(absl::StrCat("operator ", op.name, " (", RoleNames(op.roles), ") may not ", action,
                                               ": that needs the ", NeededRoles(any_of), " role")),
      "OPERATOR_ROLE_MISSING", {{"operator", op.name}, {"needed", NeededRoles(any_of)}});
}

absl::StatusOr<std::optional<Actor>> OperatorAuth::AuthorizeIfPresent(const Caller& caller,
                                                                      std::initializer_list<Role> any_of,
                                                                      absl::string_view action) const {
  if (caller.bearer.empty() && caller.session.empty()) return std::optional<Actor>();
  ASSIGN_OR_RETURN(Actor actor, Authorize(caller, any_of, Access::kRead, action));
  return std::optional<Actor>(std::move(actor));
}

absl::StatusOr<SignedIn> OperatorAuth::SignIn(const std::string& operator_key, const std::string& request_id) {
  if (!absl::StartsWith(operator_key, kKeyPrefix)) {
    return WithReason(
        absl::InvalidArgumentError("an operator key starts with \"bkkop_\"; paste the whole key you were given"),
        "OPERATOR_KEY_MALFORMED");
  }
  auto op = store_->FindByKeyHash(HashSecret(operator_key));
  if (absl::IsNotFound(op.status())) {
    return WithReason(absl::UnauthenticatedError("this operator key is unknown or revoked; ask for a new one"),
                      "OPERATOR_KEY_UNKNOWN");
  }
  RETURN_IF_ERROR(op.status());
  SignedIn out;
  ASSIGN_OR_RETURN(out.session_token, RandomUrlToken(32));
  ASSIGN_OR_RETURN(out.session.csrf_token, RandomUrlToken(24));
  out.session.op = *op;
  out.session.expires_at = clock_() + session_ttl_;
  const Actor actor{*op, op->roles.empty() ? Role::kModerator : op->roles.front(), request_id};
  RETURN_IF_ERROR(store_->CreateSession(
      op->operator_id, HashSecret(out.session_token), out.session.csrf_token, out.session.expires_at,
      AuditOf(actor, "SignIn", absl::StrCat("operator ", op->name), "signed in to the console")));
  return out;
}

absl::StatusOr<Session> OperatorAuth::CurrentSession(const Caller& caller) const {
  if (caller.session.empty()) {
    return WithReason(absl::UnauthenticatedError("not signed in to the console"), "NOT_SIGNED_IN");
  }
  auto session = store_->FindSession(HashSecret(caller.session), clock_());
  if (absl::IsNotFound(session.status())) {
    return SessionEnded();
  }
  return session;
}

absl::Status OperatorAuth::SignOut(const Caller& caller) {
  ASSIGN_OR_RETURN(Session session, CurrentSession(caller));
  if (!ConstantTimeEquals(caller.csrf, session.csrf_token)) {
    return WithReason(absl::PermissionDeniedError("the anti-CSRF token is missing or wrong; reload the console"),
                      "CSRF_TOKEN_INVALID");
  }
  const Actor actor{session.op, session.op.roles.empty() ? Role::kModerator : session.op.roles.front(),
                    caller.request_id};
  return store_->EndSession(HashSecret(caller.session),
                            AuditOf(actor, "SignOut", absl::StrCat("operator ", session.op.name), "signed out"));
}

absl::StatusOr<std::pair<Operator, std::string>> OperatorAuth::AddOperator(const std::string& name,
                                                                           const std::vector<Role>& roles,
                                                                           const Actor& by) {
  RETURN_IF_ERROR(CheckName(name));
  if (roles.empty()) {
    return absl::InvalidArgumentError(
        "an operator needs at least one role: moderator, round-admin, data-admin or tracker");
  }
  ASSIGN_OR_RETURN(std::string secret, RandomUrlToken(32));
  std::string key = absl::StrCat(kKeyPrefix, secret);
  ASSIGN_OR_RETURN(Operator op, store_->AddOperator(name, roles, HashSecret(key),
                                                    AuditOf(by, "AddOperator", absl::StrCat("operator ", name),
                                                            absl::StrCat("roles: ", RoleNames(roles)))));
  return std::make_pair(std::move(op), std::move(key));
}

absl::Status OperatorAuth::RevokeOperator(const std::string& name, const Actor& by) {
  return store_->RevokeOperator(
      name, AuditOf(by, "RevokeOperator", absl::StrCat("operator ", name), "key revoked and sessions ended"));
}

}  // namespace bkk::operators
