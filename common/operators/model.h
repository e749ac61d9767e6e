// Operators: the named people who run rounds and import data, their roles,
// and the audit events their actions leave. Shared by every service with
// admin RPCs (voting, budget-data), so one operator key works everywhere
// and one audit log holds every action.
#ifndef BKK_COMMON_OPERATORS_MODEL_H_
#define BKK_COMMON_OPERATORS_MODEL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace bkk::operators {

// What an operator may do. The numbers are the proto's OperatorRole values
// and are stored in PostgreSQL: never renumber.
enum class Role : int {
  kModerator = 1,   // moderation only
  kRoundAdmin = 2,  // rounds, rules, phases, outcomes, publication
  kDataAdmin = 3,   // budget dataset and pabulib imports
  kTracker = 4,     // implementation tracking: project updates
};

// Every role, in number order.
inline constexpr Role kAllRoles[] = {Role::kModerator, Role::kRoundAdmin, Role::kDataAdmin, Role::kTracker};

// "moderator", "round-admin", "data-admin", "tracker": the names the CLI and
// the log use.
absl::string_view RoleName(Role role);
std::optional<Role> ParseRole(absl::string_view name);
// "round-admin, moderator" (as given); "" for none.
std::string RoleNames(const std::vector<Role>& roles);

struct Operator {
  int64_t operator_id = 0;
  std::string name;
  std::vector<Role> roles;
  std::string created_at;  // RFC 3339
  // The shared bootstrap token, acting before any operator exists.
  bool bootstrap = false;

  bool Has(Role role) const;
};

// What a request carries about its caller, from gRPC metadata: an operator
// key (or the bootstrap token) as `authorization: Bearer …`, or a console
// session and its anti-CSRF token (set by the gateway from the cookie and
// the X-CSRF-Token header).
struct Caller {
  std::string bearer;
  std::string session;
  std::string csrf;
  std::string request_id;
};

// An operator acting under one of its roles: what an audit event names.
struct Actor {
  Operator op;
  Role role = Role::kModerator;
  std::string request_id;
};

// One line of the append-only audit log.
struct AuditEvent {
  int64_t event_id = 0;
  std::string operator_name;
  std::string role;    // RoleName of the role the action needed; "all" for bootstrap
  std::string action;  // the RPC: "CreateRound", "ModerateProposal", …
  std::string target;  // "round 5", "proposal 12", "budget release 1a2b…"
  std::string summary;
  std::string request_id;
  std::string at;        // RFC 3339, set by the store
  int64_t round_id = 0;  // 0 when the action concerns no round
};

// An event for `actor` doing `action` on `target`.
AuditEvent AuditOf(const Actor& actor, absl::string_view action, std::string target, std::string summary,
                   int64_t round_id = 0);

struct AuditQuery {
  int64_t round_id = 0;       // 0: every round
  std::string operator_name;  // "": every operator
  int64_t before_id = 0;      // 0: from the newest
  int limit = 50;
};

}  // namespace bkk::operators

#endif  // BKK_COMMON_OPERATORS_MODEL_H_
