// Role names and audit helpers; see model.h.
#include "common/operators/model.h"

#include <algorithm>

#include "absl/strings/str_join.h"

namespace bkk::operators {

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kModerator:
      return "moderator";
    case Role::kRoundAdmin:
      return "round-admin";
    case Role::kDataAdmin:
      return "data-admin";
    case Role::kTracker:
      return "tracker";
  }
  return "unknown";
}

std::optional<Role> ParseRole(absl::string_view name) {
  for (Role role : kAllRoles) {
    if (RoleName(role) == name) return role;
  }
  return std::nullopt;
}

std::string RoleNames(const std::vector<Role>& roles) {
  return absl::StrJoin(roles, ", ", [](std::string* out, Role r) { out->append(std::string(RoleName(r))); });
}

bool Operator::Has(Role role) const { return bootstrap || std::find(roles.begin(), roles.end(), role) != roles.end(); }

AuditEvent AuditOf(const Actor& actor, absl::string_view action, std::string target, std::string summary,
                   int64_t round_id) {
  AuditEvent e;
  e.operator_name = actor.op.name;
  // The bootstrap token and the command line act with every role.
  e.role = actor.op.bootstrap ? "all" : std::string(RoleName(actor.role));
  e.action = std::string(action);
  e.target = std::move(target);
  e.summary = std::move(summary);
  e.request_id = actor.request_id;
  e.round_id = round_id;
  return e;
}

}  // namespace bkk::operators
