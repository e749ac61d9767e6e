// Who may call an admin RPC, decided the same way in every service:
//  - an operator key (`authorization: Bearer bkkop_…`) names an active
//    operator; keys are created by `voting operator add` and shown once;
//  - a console session (the gateway's HttpOnly cookie) names one too, and a
//    change also needs the session's anti-CSRF token;
//  - the shared bootstrap token (BKK_ADMIN_TOKEN) acts with every role only
//    while no operator exists, so a fresh install can create the first one;
//    it stops working then, and an empty BKK_ADMIN_TOKEN switches it off.
// Then the operator must hold one of the roles the action needs. Refusals
// are UNAUTHENTICATED (no or unknown credentials) or PERMISSION_DENIED
// (known, but not allowed), each saying what to do.
#ifndef BKK_COMMON_OPERATORS_OPERATOR_AUTH_H_
#define BKK_COMMON_OPERATORS_OPERATOR_AUTH_H_

#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/operators/operator_store.h"

namespace bkk::operators {

// Whether an action changes anything (then a console session must carry
// its anti-CSRF token).
enum class Access { kRead, kWrite };

struct SignedIn {
  std::string session_token;  // for the gateway's cookie only
  Session session;
};

class OperatorAuth {
 public:
  using Clock = std::function<absl::Time()>;
  OperatorAuth(OperatorStore* store, std::string bootstrap_token, absl::Duration session_ttl = absl::Hours(2),
               Clock clock = absl::Now);

  // The operator behind `caller` acting as the first of `any_of` it holds.
  absl::StatusOr<Actor> Authorize(const Caller& caller, std::initializer_list<Role> any_of, Access access,
                                  absl::string_view action) const;
  // Like Authorize, but succeeds with nullopt for a caller with no
  // credentials at all (public callers of RPCs that show more to operators).
  absl::StatusOr<std::optional<Actor>> AuthorizeIfPresent(const Caller& caller, std::initializer_list<Role> any_of,
                                                          absl::string_view action) const;

  // Exchanges an operator key for a console session.
  absl::StatusOr<SignedIn> SignIn(const std::string& operator_key, const std::string& request_id);
  // The session `caller` carries (its operator and anti-CSRF token).
  absl::StatusOr<Session> CurrentSession(const Caller& caller) const;
  absl::Status SignOut(const Caller& caller);

  // A new operator and its key (shown once; only its hash is kept). Names:
  // 1-64 of [a-z0-9._-]; at least one role.
  absl::StatusOr<std::pair<Operator, std::string>> AddOperator(const std::string& name, const std::vector<Role>& roles,
                                                               const Actor& by);
  absl::Status RevokeOperator(const std::string& name, const Actor& by);

  OperatorStore* store() const { return store_; }
  // The actor for operator-line tools (`voting operator …`), which need
  // database access and so no key.
  static Actor CommandLine();

 private:
  absl::StatusOr<Operator> Identify(const Caller& caller, Access access) const;

  OperatorStore* const store_;
  const std::string bootstrap_token_;
  const absl::Duration session_ttl_;
  const Clock clock_;
};

// SHA-256 hex of a key or session token: what the store keeps.
std::string HashSecret(absl::string_view secret);

}  // namespace bkk::operators

#endif  // BKK_COMMON_OPERATORS_OPERATOR_AUTH_H_
