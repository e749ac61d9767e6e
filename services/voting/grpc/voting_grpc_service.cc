// voting gRPC adapter; see voting_grpc_service.h.
#include "services/voting/grpc/voting_grpc_service.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/grpc_server.h"
#include "common/grpc_status.h"
#include "common/operators/grpc_caller.h"
#include "common/page_token.h"
#include "common/request_language.h"
#include "common/status_macros.h"
#include "common/trace.h"
#include "services/voting/core/money.h"
#include "services/voting/grpc/tally_watch.h"

namespace bkk::voting {
namespace pb = bkkbudget::voting::v1;
using operators::Access;
using operators::Role;
namespace {

absl::StatusOr<std::optional<DistrictsPerVoter>> FromProto(pb::DistrictsPerVoter d) {
  switch (d) {
    case pb::DISTRICTS_PER_VOTER_ONE:
      return DistrictsPerVoter::kOne;
    case pb::DISTRICTS_PER_VOTER_EACH:
      return DistrictsPerVoter::kEach;
    case pb::DISTRICTS_PER_VOTER_UNSPECIFIED:
      return std::optional<DistrictsPerVoter>();
    default:
      return absl::InvalidArgumentError("districts_per_voter must be ONE or EACH");
  }
}

absl::StatusOr<std::vector<Role>> FromProto(const google::protobuf::RepeatedField<int>& roles) {
  std::vector<Role> out;
  for (int r : roles) {
    switch (r) {
      case pb::OPERATOR_ROLE_MODERATOR:
      case pb::OPERATOR_ROLE_ROUND_ADMIN:
      case pb::OPERATOR_ROLE_DATA_ADMIN:
      case pb::OPERATOR_ROLE_TRACKER:
        out.push_back(static_cast<Role>(r));
        break;
      default:
        return absl::InvalidArgumentError("roles: each must be MODERATOR, ROUND_ADMIN, DATA_ADMIN or TRACKER");
    }
  }
  return out;
}

void ToProto(const TallyLogEntry& e, pb::TallyLogEntry* out) {
  out->set_entry_id(e.entry_id);
  out->set_round_id(e.round_id);
  out->set_district_id(e.district_id);
  out->set_voter_count(e.voter_count);
  for (const auto& [proposal, support] : e.tally) {
    auto* c = out->add_tally();
    c->set_proposal_id(proposal);
    c->set_support(support);
  }
  out->set_merkle_root(e.merkle_root);
  out->set_at(e.at);
  out->set_previous_hash(e.previous_hash);
  out->set_entry_hash(e.entry_hash);
}

absl::StatusOr<std::optional<ProjectStatus>> FromProto(pb::ProjectStatus s) {
  switch (s) {
    case pb::PROJECT_STATUS_UNSPECIFIED:
      return std::optional<ProjectStatus>();
    case pb::PROJECT_STATUS_PLANNED:
    case pb::PROJECT_STATUS_PROCUREMENT:
    case pb::PROJECT_STATUS_IN_PROGRESS:
    case pb::PROJECT_STATUS_COMPLETED:
    case pb::PROJECT_STATUS_CANCELLED:
      return static_cast<ProjectStatus>(s);  // same numbers (model_test.cc)
    default:
      return absl::InvalidArgumentError("status must be PLANNED, PROCUREMENT, IN_PROGRESS, COMPLETED or CANCELLED");
  }
}

void ToProto(const ProjectRecord& p, pb::Project* out) {
  out->set_project_id(p.project_id);
  out->set_round_id(p.round_id);
  out->set_district_id(p.district_id);
  out->set_proposal_id(p.proposal_id);
  out->set_title(p.title);
  out->set_funded_baht(p.funded_baht);
  out->set_agency(p.agency);
  out->set_status(static_cast<pb::ProjectStatus>(p.status));
  out->set_status_reason(p.status_reason);
  out->set_progress_percent(p.progress_percent);
  out->set_committed_baht(p.committed_baht);
  out->set_spent_baht(p.spent_baht);
  for (int64_t line : p.budget_line_ids) out->add_budget_line_ids(line);
  out->set_created_at(p.created_at);
  out->set_updated_at(p.updated_at);
}

void ToProto(const ProjectUpdateRecord& u, pb::ProjectUpdate* out) {
  out->set_update_id(u.update_id);
  out->set_at(u.at);
  out->set_operator_name(u.operator_name);
  out->set_text(u.text);
  out->set_link(u.link);
  out->set_status(static_cast<pb::ProjectStatus>(u.status));
  out->set_progress_percent(u.progress_percent);
  out->set_committed_baht(u.committed_baht);
  out->set_spent_baht(u.spent_baht);
  out->set_agency(u.agency);
  out->set_reason(u.reason);
}

void ToProto(const operators::Operator& op, pb::Operator* out) {
  out->set_name(op.name);
  for (Role r : op.roles) out->add_roles(static_cast<pb::OperatorRole>(r));
  out->set_created_at(op.created_at);
}

// What a public caller and an operator may see of an RPC that shows
// operators more: no credentials is the public; credentials must be good.
absl::StatusOr<Audience> AudienceOf(const absl::StatusOr<std::optional<operators::Actor>>& actor) {
  RETURN_IF_ERROR(actor.status());
  return actor->has_value() ? Audience::kOperator : Audience::kPublic;
}

// Proto enums and the core's enums, spelled out both ways.
absl::StatusOr<BallotRule> FromProto(const pb::BallotRule& r) {
  switch (r.kind()) {
    case pb::BALLOT_KIND_APPROVAL:
      return BallotRule::Approval(r.max_choices());
    case pb::BALLOT_KIND_KNAPSACK:
      return BallotRule::Knapsack();
    case pb::BALLOT_KIND_CUMULATIVE:
      return BallotRule::Cumulative(r.total_points(), r.max_points_per_project());
    default:
      return absl::InvalidArgumentError("ballot_rule.kind is required: APPROVAL, KNAPSACK or CUMULATIVE");
  }
}

absl::StatusOr<OutcomeRule> FromProto(pb::OutcomeRule r) {
  switch (r) {
    case pb::OUTCOME_RULE_GREEDY:
      return OutcomeRule::kGreedy;
    case pb::OUTCOME_RULE_GREEDY_NO_SKIP:
      return OutcomeRule::kGreedyNoSkip;
    case pb::OUTCOME_RULE_EQUAL_SHARES:
      return OutcomeRule::kEqualSharesAdd1;
    case pb::OUTCOME_RULE_EQUAL_SHARES_ADD1_COMPARISON:
      return OutcomeRule::kEqualSharesAdd1Comparison;
    default:
      return absl::InvalidArgumentError(
          "outcome_rule is required: GREEDY, GREEDY_NO_SKIP, EQUAL_SHARES or EQUAL_SHARES_ADD1_COMPARISON");
  }
}

absl::StatusOr<Phase> FromProto(pb::Phase p) {
  switch (p) {
    case pb::PHASE_PROPOSALS:
      return Phase::kProposals;
    case pb::PHASE_REVIEW:
      return Phase::kReview;
    case pb::PHASE_VOTING:
      return Phase::kVoting;
    case pb::PHASE_CLOSED:
      return Phase::kClosed;
    case pb::PHASE_PUBLISHED:
      return Phase::kPublished;
    default:
      return absl::InvalidArgumentError("to_phase is required: REVIEW, VOTING, CLOSED or PUBLISHED");
  }
}

pb::Phase ToProto(Phase p) {
  switch (p) {
    case Phase::kProposals:
      return pb::PHASE_PROPOSALS;
    case Phase::kReview:
      return pb::PHASE_REVIEW;
    case Phase::kVoting:
      return pb::PHASE_VOTING;
    case Phase::kClosed:
      return pb::PHASE_CLOSED;
    case Phase::kPublished:
      return pb::PHASE_PUBLISHED;
  }
  return pb::PHASE_UNSPECIFIED;
}

pb::OutcomeRule ToProto(OutcomeRule r) {
  switch (r) {
    case OutcomeRule::kGreedy:
      return pb::OUTCOME_RULE_GREEDY;
    case OutcomeRule::kGreedyNoSkip:
      return pb::OUTCOME_RULE_GREEDY_NO_SKIP;
    case OutcomeRule::kEqualSharesAdd1:
      return pb::OUTCOME_RULE_EQUAL_SHARES;
    case OutcomeRule::kEqualSharesAdd1Comparison:
      return pb::OUTCOME_RULE_EQUAL_SHARES_ADD1_COMPARISON;
    case OutcomeRule::kNotChosen:
      return pb::OUTCOME_RULE_UNSPECIFIED;
  }
  return pb::OUTCOME_RULE_UNSPECIFIED;
}

pb::ProjectReason ToProto(ProjectReason r) {
  switch (r) {
    case ProjectReason::kUnexplained:
      return pb::PROJECT_REASON_UNSPECIFIED;
    case ProjectReason::kNoSupport:
      return pb::PROJECT_REASON_NO_SUPPORT;
    case ProjectReason::kBelowThreshold:
      return pb::PROJECT_REASON_BELOW_THRESHOLD;
    case ProjectReason::kFunded:
      return pb::PROJECT_REASON_FUNDED;
    case ProjectReason::kDidNotFit:
      return pb::PROJECT_REASON_DID_NOT_FIT;
    case ProjectReason::kStoppedHere:
      return pb::PROJECT_REASON_STOPPED_HERE;
    case ProjectReason::kNotReached:
      return pb::PROJECT_REASON_NOT_REACHED;
    case ProjectReason::kFundedByShares:
      return pb::PROJECT_REASON_FUNDED_BY_SHARES;
    case ProjectReason::kSharesTooSmall:
      return pb::PROJECT_REASON_SHARES_TOO_SMALL;
  }
  return pb::PROJECT_REASON_UNSPECIFIED;
}

std::vector<RoundDistrict> FromProto(const google::protobuf::RepeatedPtrField<pb::RoundDistrict>& ds) {
  std::vector<RoundDistrict> out;
  for (const auto& d : ds) out.push_back({d.district_id(), d.budget_baht()});
  return out;
}

void ToProto(const RoundRecord& r, pb::Round* out) {
  out->set_round_id(r.round_id);
  out->set_name(r.name);
  out->set_fiscal_year(r.fiscal_year);
  for (const auto& d : r.districts) {
    auto* pd = out->add_districts();
    pd->set_district_id(d.district_id);
    pd->set_budget_baht(d.budget_baht);
    pd->set_budget(FormatAmount(d.budget_baht, r.money_scale));
  }
  auto* rule = out->mutable_ballot_rule();
  switch (r.ballot_rule.kind) {
    case BallotKind::kApproval:
      rule->set_kind(pb::BALLOT_KIND_APPROVAL);
      break;
    case BallotKind::kKnapsack:
      rule->set_kind(pb::BALLOT_KIND_KNAPSACK);
      break;
    case BallotKind::kCumulative:
      rule->set_kind(pb::BALLOT_KIND_CUMULATIVE);
      break;
  }
  rule->set_max_choices(r.ballot_rule.max_choices);
  rule->set_total_points(static_cast<int32_t>(r.ballot_rule.total_points));
  rule->set_max_points_per_project(static_cast<int32_t>(r.ballot_rule.max_points_per_project));
  out->set_outcome_rule(ToProto(r.outcome_rule));
  out->set_identity_mode(r.identity_mode == IdentityMode::kCitizenId ? pb::IDENTITY_MODE_CITIZEN_ID
                                                                     : pb::IDENTITY_MODE_ANONYMOUS_BROWSER);
  out->set_phase(ToProto(r.phase));
  out->set_created_at(r.created_at);
  out->set_source(r.source);
  out->set_districts_per_voter(r.districts_per_voter == DistrictsPerVoter::kOne ? pb::DISTRICTS_PER_VOTER_ONE
                                                                                : pb::DISTRICTS_PER_VOTER_EACH);
  out->set_min_project_support(r.min_support);
  out->set_money_scale(r.money_scale);
  out->set_currency(r.currency);
  if (r.archive.has_value()) {
    auto* a = out->mutable_archive();
    a->set_country(r.archive->country);
    a->set_unit(r.archive->unit);
    a->set_subunit(r.archive->subunit);
    a->set_instance(r.archive->instance);
  }
}

void ToProto(const ProposalRecord& p, pb::Proposal* out) {
  out->set_proposal_id(p.proposal_id);
  out->set_round_id(p.round_id);
  out->set_district_id(p.district_id);
  out->set_title(p.title);
  out->set_description(p.description);
  out->set_strategy_tag(p.strategy_tag);
  out->set_estimated_cost_baht(p.estimated_cost_baht);
  switch (p.status) {
    case ModerationStatus::kPending:
      out->set_status(pb::MODERATION_STATUS_PENDING);
      break;
    case ModerationStatus::kApproved:
      out->set_status(pb::MODERATION_STATUS_APPROVED);
      break;
    case ModerationStatus::kRejected:
      out->set_status(pb::MODERATION_STATUS_REJECTED);
      break;
  }
  out->set_rejection_reason(p.rejection_reason);
  out->set_created_at(p.created_at);
  out->set_external_id(p.external_id);
}

std::string ClientAddress(const grpc::ServerContextBase& ctx) {
  auto it = ctx.client_metadata().find("x-client-address");
  if (it != ctx.client_metadata().end()) return std::string(it->second.data(), it->second.size());
  std::string peer = ctx.peer();  // "ipv4:127.0.0.1:5555"
  auto colon = peer.rfind(':');
  return colon == std::string::npos ? peer : peer.substr(0, colon);
}

}  // namespace

absl::StatusOr<operators::Actor> VotingGrpcService::Authorize(const grpc::ServerContextBase& context,
                                                              std::initializer_list<Role> any_of, Access access,
                                                              absl::string_view action) const {
  return auth_->Authorize(operators::CallerOf(context), any_of, access, action);
}

grpc::Status VotingGrpcService::SignIn(Ctx* context, const pb::SignInRequest* request, pb::SignInResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  ASSIGN_OR_RETURN(auto signed_in, auth_->SignIn(request->operator_key(), operators::CallerOf(*context).request_id),
                   ToGrpcStatus);
  ToProto(signed_in.session.op, response->mutable_operator_());
  response->set_session_token(signed_in.session_token);
  response->set_csrf_token(signed_in.session.csrf_token);
  response->set_expires_at(absl::ToUnixSeconds(signed_in.session.expires_at));
  return grpc::Status::OK;
}

grpc::Status VotingGrpcService::SignOut(Ctx* context, const pb::SignOutRequest*, pb::SignOutResponse*) {
  const ScopedTraceId trace(TraceIdOf(*context));
  RETURN_IF_ERROR(auth_->SignOut(operators::CallerOf(*context)), ToGrpcStatus);
  return grpc::Status::OK;
}

grpc::Status VotingGrpcService::GetSession(Ctx* context, const pb::GetSessionRequest*,
                                           pb::GetSessionResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  ASSIGN_OR_RETURN(auto session, auth_->CurrentSession(operators::CallerOf(*context)), ToGrpcStatus);
  ToProto(session.op, response->mutable_operator_());
  response->set_csrf_token(session.csrf_token);
  response->set_expires_at(absl::ToUnixSeconds(session.expires_at));
  return grpc::Status::OK;
}

grpc::Status VotingGrpcService::CreateOperator(Ctx* context, const pb::CreateOperatorRequest* request,
                                               pb::CreateOperatorResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  ASSIGN_OR_RETURN(auto by, Authorize(*context, {Role::kRoundAdmin}, Access::kWrite, "CreateOperator"), ToGrpcStatus);
  if (!by.op.bootstrap) {
    return ToGrpcStatus(absl::PermissionDeniedError(
        "CreateOperator creates only the first operator, with the bootstrap token; add more with "
        "`voting operator add NAME --role ROLE`"));
  }
  ASSIGN_OR_RETURN(auto roles, FromProto(request->roles()), ToGrpcStatus);
  ASSIGN_OR_RETURN(auto created, auth_->AddOperator(request->name(), roles, by), ToGrpcStatus);
  ToProto(created.first, response->mutable_operator_());
  response->set_operator_key(created.second);
  return grpc::Status::OK;
}

grpc::Status VotingGrpcService::ListAuditEvents(Ctx* context, const pb::ListAuditEventsRequest* request,
                                                pb::ListAuditEventsResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  RETURN_IF_ERROR(Authorize(*context, {Role::kModerator, Role::kRoundAdmin, Role::kDataAdmin, Role::kTracker},
                            Access::kRead, "ListAuditEvents")
                      .status(),
                  ToGrpcStatus);
  operators::AuditQuery query;
  query.round_id = request->round_id();
  query.operator_name = request->operator_name();
  if (request->page_size() < 0 || request->page_size() > 200) {
    return ToGrpcStatus(
        absl::InvalidArgumentError(absl::StrCat("page_size must be 1-200 (or 0 for 50), got ", request->page_size())));
  }
  query.limit = request->page_size() == 0 ? 50 : request->page_size();
  if (!request->page_token().empty()) {
    // The token carries where the page ends and the filters it belongs to.
    ASSIGN_OR_RETURN(auto fields, DecodePageToken(request->page_token(), 3), ToGrpcStatus);
    if (!absl::SimpleAtoi(fields[0], &query.before_id) || query.before_id <= 0) {
      return ToGrpcStatus(MalformedPageToken());
    }
    if (fields[1] != absl::StrCat(query.round_id) || fields[2] != query.operator_name) {
      return ToGrpcStatus(absl::InvalidArgumentError(
          "page_token belongs to other filters; start again without it when changing round_id or operator_name"));
    }
  }
  ++query.limit;  // one more tells whether another page follows
  ASSIGN_OR_RETURN(auto events, auth_->store()->ListAudit(query), ToGrpcStatus);
  const bool more = static_cast<int>(events.size()) == query.limit;
  if (more) events.pop_back();
  for (const auto& e : events) {
    auto* pe = response->add_events();
    pe->set_event_id(e.event_id);
    pe->set_operator_name(e.operator_name);
    pe->set_role(e.role);
    pe->set_action(e.action);
    pe->set_target(e.target);
    pe->set_summary(e.summary);
    pe->set_request_id(e.request_id);
    pe->set_at(e.at);
    pe->set_round_id(e.round_id);
  }
  if (more && !events.empty()) {
    response->set_next_page_token(
        EncodePageToken({absl::StrCat(events.back().event_id), absl::StrCat(query.round_id), query.operator_name}));
  }
  return grpc::Status::OK;
}

grpc::Status VotingGrpcService::CreateRound(Ctx* context, const pb::CreateRoundRequest* request,
                                            pb::CreateRoundResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  ASSIGN_OR_RETURN(auto by, Authorize(*context, {Role::kRoundAdmin}, Access::kWrite, "CreateRound"), ToGrpcStatus);
  const auto& r = request->round();
  RoundRecord round;
  round.name = r.name();
  round.fiscal_year = r.fiscal_year();
  round.districts = FromProto(r.districts());
  ASSIGN_OR_RETURN(auto rule, FromProto(r.ballot_rule()), ToGrpcStatus);
  ASSIGN_OR_RETURN(auto outcome, FromProto(r.outcome_rule()), ToGrpcStatus);
  round.ballot_rule = rule;
  round.outcome_rule = outcome;
  round.min_support = r.min_project_support();
  switch (r.identity_mode()) {
    case pb::IDENTITY_MODE_CITIZEN_ID:
      round.identity_mode = IdentityMode::kCitizenId;
      break;
    case pb::IDENTITY_MODE_ANONYMOUS_BROWSER:
      round.identity_mode = IdentityMode::kAnonymousBrowser;
      break;
    default:
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "round.identity_mode is required: CITIZEN_ID or ANONYMOUS_BROWSER");
  }
  ASSIGN_OR_RETURN(auto per_voter, FromProto(r.districts_per_voter()), ToGrpcStatus);
  round.districts_per_voter = per_voter.value_or(DistrictsPerVoter::kOne);
  ASSIGN_OR_RETURN(auto created, app_->CreateRound(round, by), ToGrpcStatus);
  ToProto(created, response->mutable_round());
  return grpc::Status::OK;
}

grpc::Status VotingGrpcService::UpdateRoundRules(Ctx* context, const pb::UpdateRoundRulesRequest* request,
                                                 pb::UpdateRoundRulesResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  ASSIGN_OR_RETURN(auto by, Authorize(*context, {Role::kRoundAdmin}, Access::kWrite, "UpdateRoundRules"), ToGrpcStatus);
  RoundRulesChange change;
  ASSIGN_OR_RETURN(change.rule, FromProto(request->ballot_rule()), ToGrpcStatus);
  ASSIGN_OR_RETURN(change.outcome, FromProto(request->outcome_rule()), ToGrpcStatus);
  ASSIGN_OR_RETURN(change.districts_per_voter, FromProto(request->districts_per_voter()), ToGrpcStatus);
  change.districts = FromProto(request->districts());
  if (request->has_min_project_support()) change.min_support = request->min_project_support();
  ASSIGN_OR_RETURN(auto round, app_->UpdateRoundRules(request->round_id(), change, by), ToGrpcStatus);
  ToProto(round, response->mutable_round());
  return grpc::Status::OK;
}

grpc::Status VotingGrpcService::AdvanceRoundPhase(Ctx* context, const pb::AdvanceRoundPhaseRequest* request,
                                                  pb::AdvanceRoundPhaseResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  ASSIGN_OR_RETURN(auto by, Authorize(*context, {Role::kRoundAdmin}, Access::kWrite, "AdvanceRoundPhase"),
                   ToGrpcStatus);
  ASSIGN_OR_RETURN(auto to, FromProto(request->to_phase()), ToGrpcStatus);
  ASSIGN_OR_RETURN(auto round, app_->AdvanceRoundPhase(request->round_id(), to, by), ToGrpcStatus);
  ToProto(round, response->mutable_round());
  return grpc::Status::OK;
}

grpc::Status VotingGrpcService::GetRound(Ctx* context, const pb::GetRoundRequest* request,
                                         pb::GetRoundResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  ASSIGN_OR_RETURN(auto round, app_->GetRound(request->round_id()), ToGrpcStatus);
  ToProto(round, response->mutable_round());
  return grpc::Status::OK;
}

grpc::Status VotingGrpcService::ListRounds(Ctx* context, const pb::ListRoundsRequest* request,
                                           pb::ListRoundsResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  ASSIGN_OR_RETURN(auto rounds, app_->ListRounds(request->archive()), ToGrpcStatus);
  for (const auto& r : rounds) ToProto(r, response->add_rounds());
  return grpc::Status::OK;
}

grpc::Status VotingGrpcService::SubmitProposal(Ctx* context, const pb::SubmitProposalRequest* request,
                                               pb::SubmitProposalResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  ProposalRecord p;
  p.round_id = request->round_id();
  p.district_id = request->district_id();
  p.title = request->title();
  p.description = request->description();
  p.strategy_tag = request->strategy_tag();
  p.estimated_cost_baht = request->estimated_cost_baht();
  ASSIGN_OR_RETURN(auto created, app_->SubmitProposal(p), ToGrpcStatus);
  ToProto(created.proposal, response->mutable_proposal());
  response->set_author_token(created.author_token);
  return grpc::Status::OK;
}

grpc::Status VotingGrpcService::ModerateProposal(Ctx* context, const pb::ModerateProposalRequest* request,
                                                 pb::ModerateProposalResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  ASSIGN_OR_RETURN(auto by, Authorize(*context, {Role::kModerator}, Access::kWrite, "ModerateProposal"), ToGrpcStatus);
  ASSIGN_OR_RETURN(auto p,
                   app_->ModerateProposal(request->proposal_id(), request->approve(), request->rejection_reason(), by),
                   ToGrpcStatus);
  ToProto(p, response->mutable_proposal());
  return grpc::Status::OK;
}

grpc::Status VotingGrpcService::ListProposals(Ctx* context, const pb::ListProposalsRequest* request,
                                              pb::ListProposalsResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  if (request->include_unmoderated()) {
    RETURN_IF_ERROR(
        Authorize(*context, {Role::kModerator, Role::kRoundAdmin}, Access::kRead, "list unmoderated proposals")
            .status(),
        ToGrpcStatus);
  }
  ASSIGN_OR_RETURN(auto list,
                   app_->ListProposals(request->round_id(), request->district_id(), request->include_unmoderated()),
                   ToGrpcStatus);
  for (const auto& p : list) ToProto(p, response->add_proposals());
  return grpc::Status::OK;
}

grpc::Status VotingGrpcService::GetProposal(Ctx* context, const pb::GetProposalRequest* request,
                                            pb::GetProposalResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  ASSIGN_OR_RETURN(
      auto audience,
      AudienceOf(auth_->AuthorizeIfPresent(operators::CallerOf(*context), {Role::kModerator, Role::kRoundAdmin},
                                           "see unmoderated proposals")),
      ToGrpcStatus);
  ASSIGN_OR_RETURN(auto p, app_->GetProposal(request->proposal_id(), audience, request->author_token()), ToGrpcStatus);
  ToProto(p.first, response->mutable_proposal());
  response->set_support(p.second);
  return grpc::Status::OK;
}

grpc::Status VotingGrpcService::RegisterVoter(Ctx* context, const pb::RegisterVoterRequest* request,
                                              pb::RegisterVoterResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  ASSIGN_OR_RETURN(auto token, app_->RegisterVoter(request->round_id(), request->citizen_id(), request->browser_id()),
                   ToGrpcStatus);
  response->set_voter_token(token.first);
  response->set_expires_at(token.second);
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* VotingGrpcService::CastBallot(grpc::CallbackServerContext* context,
                                                        const pb::CastBallotRequest* request,
                                                        pb::CastBallotResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  std::vector<BallotChoice> choices;
  for (const auto& c : request->choices()) choices.push_back({c.proposal_id(), c.points()});
  app_->CastBallot(request->round_id(), request->district_id(), request->voter_token(), choices,
                   request->idempotency_key(), ClientAddress(*context),
                   [reactor, response](absl::StatusOr<CastResult> result) {
                     if (!result.ok()) {
                       reactor->Finish(ToGrpcStatus(result.status()));
                       return;
                     }
                     response->set_receipt_code(result->receipt_code);
                     response->set_commitment_nonce(result->commitment_nonce);
                     response->set_ballot_id(result->ballot_id);
                     response->set_replayed(result->replayed);
                     reactor->Finish(grpc::Status::OK);
                   });
  return reactor;
}

grpc::Status VotingGrpcService::CheckReceipt(Ctx* context, const pb::CheckReceiptRequest* request,
                                             pb::CheckReceiptResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  auto ballot = app_->CheckReceipt(request->receipt_code());
  if (!ballot.ok() && ballot.status().code() == absl::StatusCode::kNotFound) {
    response->set_counted(false);
    return grpc::Status::OK;
  }
  if (!ballot.ok()) return ToGrpcStatus(ballot.status());
  response->set_counted(true);
  response->set_round_id(ballot->round_id);
  response->set_district_id(ballot->district_id);
  response->set_cast_at(ballot->cast_at);
  response->set_commitment(ballot->commitment);
  if (ballot->inclusion) {
    auto* inclusion = response->mutable_inclusion();
    inclusion->set_leaf_index(static_cast<int64_t>(ballot->inclusion->leaf_index));
    for (const auto& d : ballot->inclusion->audit_path) inclusion->add_audit_path(d);
    ToProto(ballot->inclusion->entry, inclusion->mutable_entry());
  }
  return grpc::Status::OK;
}

grpc::Status VotingGrpcService::GetTopProposals(Ctx* context, const pb::GetTopProposalsRequest* request,
                                                pb::GetTopProposalsResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  ASSIGN_OR_RETURN(auto top, app_->GetTopProposals(request->round_id(), request->district_id(), request->limit()),
                   ToGrpcStatus);
  ToProto(top, response->mutable_proposals());
  response->set_voter_count(top.voter_count);
  response->set_served_from(top.served_from);
  return grpc::Status::OK;
}

grpc::Status VotingGrpcService::GetTurnout(Ctx* context, const pb::GetTurnoutRequest* request,
                                           pb::GetTurnoutResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  ASSIGN_OR_RETURN(auto t, app_->GetTurnout(request->round_id()), ToGrpcStatus);
  for (const auto& [d, n] : t.districts) {
    auto* pd = response->add_districts();
    pd->set_district_id(d);
    pd->set_voter_count(n);
  }
  response->set_total_voters(t.total_voters);
  return grpc::Status::OK;
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* VotingGrpcService::WatchTallies(grpc::CallbackServerContext* context,
                                                                            const grpc::ByteBuffer* request) {
  const ScopedTraceId trace(TraceIdOf(*context));
  return StartTallyWatch(tallies_, request);
}

grpc::Status VotingGrpcService::ListTallyLog(Ctx* context, const pb::ListTallyLogRequest* request,
                                             pb::ListTallyLogResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  ASSIGN_OR_RETURN(auto entries, app_->TallyLog(request->round_id()), ToGrpcStatus);
  for (const auto& e : entries) ToProto(e, response->add_entries());
  return grpc::Status::OK;
}

grpc::Status VotingGrpcService::GetBulletin(Ctx* context, const pb::GetBulletinRequest* request,
                                            pb::GetBulletinResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  ASSIGN_OR_RETURN(auto audience,
                   AudienceOf(auth_->AuthorizeIfPresent(operators::CallerOf(*context), {Role::kRoundAdmin},
                                                        "read bulletins before publication")),
                   ToGrpcStatus);
  ASSIGN_OR_RETURN(auto bulletin, app_->GetBulletin(request->round_id(), request->district_id(), audience),
                   ToGrpcStatus);
  ToProto(bulletin.entry, response->mutable_entry());
  for (const auto& c : bulletin.commitments) response->add_commitments(c);
  for (const auto& b : bulletin.ballots) response->add_ballots(b);
  return grpc::Status::OK;
}

grpc::Status VotingGrpcService::ComputeOutcome(Ctx* context, const pb::ComputeOutcomeRequest* request,
                                               pb::ComputeOutcomeResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  ASSIGN_OR_RETURN(auto audience,
                   AudienceOf(auth_->AuthorizeIfPresent(operators::CallerOf(*context), {Role::kRoundAdmin},
                                                        "review outcomes before publication")),
                   ToGrpcStatus);
  std::optional<OutcomeRule> rule;
  if (request->rule() != pb::OUTCOME_RULE_UNSPECIFIED) {
    ASSIGN_OR_RETURN(auto r, FromProto(request->rule()), ToGrpcStatus);
    rule = r;
  }
  if (!request->language().empty() && request->language() != "th" && request->language() != "en") {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("language must be \"th\" or \"en\", got \"", request->language(), "\""));
  }
  // An explicit language wins; otherwise the gateway's Accept-Language.
  const bool thai =
      request->language().empty() ? RequestLanguage(*context) == Language::kThai : request->language() == "th";
  // Results frozen before Thai texts were kept have only the English ones.
  const auto in_language = [thai](const std::string& en, const std::string& th) {
    return thai && !th.empty() ? th : en;
  };
  ASSIGN_OR_RETURN(auto view, app_->ComputeOutcome(request->round_id(), request->district_id(), rule, audience),
                   ToGrpcStatus);
  const auto& o = view.outcome;
  response->set_rule(ToProto(o.rule));
  response->set_budget_baht(o.budget);
  response->set_spent_baht(o.total_cost);
  response->set_voter_count(o.voters);
  response->set_summary(in_language(o.summary, o.summary_th));
  response->set_language(thai && !o.summary_th.empty() ? "th" : "en");
  response->set_min_project_support(o.min_support);
  response->set_currency(o.currency);
  response->set_money_scale(o.money_scale);
  response->set_budget(FormatAmount(o.budget, o.money_scale));
  response->set_spent(FormatAmount(o.total_cost, o.money_scale));
  if (o.comparison.has_value()) {
    auto* c = response->mutable_comparison();
    c->set_prefer_greedy(o.comparison->prefer_greedy);
    c->set_prefer_equal_shares(o.comparison->prefer_equal_shares);
    c->set_kept_greedy(o.comparison->kept_greedy);
  }
  response->set_official(view.official);
  response->set_published_at(view.published_at);
  // Funded first (in funding order), then the rest in election order.
  std::vector<const ProjectOutcome*> order;
  for (const auto& id : o.funded_ids) order.push_back(o.Find(id));
  for (const auto& p : o.projects) {
    if (!p.funded) order.push_back(&p);
  }
  for (const auto* p : order) {
    auto* pp = response->add_projects();
    const auto& proposal = view.proposals.at(p->id);
    pp->set_proposal_id(proposal.proposal_id);
    pp->set_title(proposal.title);
    pp->set_cost_baht(p->cost);
    pp->set_support(p->support);
    pp->set_funded(p->funded);
    pp->set_explanation(in_language(p->explanation, p->explanation_th));
    pp->set_reason(ToProto(p->reason));
    pp->set_cost(FormatAmount(p->cost, o.money_scale));
  }
  return grpc::Status::OK;
}

grpc::Status VotingGrpcService::ExportPabulib(Ctx* context, const pb::ExportPabulibRequest* request,
                                              pb::ExportPabulibResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  ASSIGN_OR_RETURN(auto audience,
                   AudienceOf(auth_->AuthorizeIfPresent(operators::CallerOf(*context), {Role::kRoundAdmin},
                                                        "export ballots before publication")),
                   ToGrpcStatus);
  ASSIGN_OR_RETURN(auto text, app_->ExportPabulib(request->round_id(), request->district_id(), audience), ToGrpcStatus);
  response->set_filename(
      absl::StrCat("bangkok_round", request->round_id(), "_district", request->district_id(), ".pb"));
  response->set_content(text);
  return grpc::Status::OK;
}

grpc::Status VotingGrpcService::ImportPabulib(Ctx* context, const pb::ImportPabulibRequest* request,
                                              pb::ImportPabulibResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  ASSIGN_OR_RETURN(auto by, Authorize(*context, {Role::kDataAdmin}, Access::kWrite, "ImportPabulib"), ToGrpcStatus);
  ASSIGN_OR_RETURN(auto result,
                   app_->ImportPabulib(request->filename(), request->content(), request->district_id(), by),
                   ToGrpcStatus);
  ToProto(result.round, response->mutable_round());
  response->set_proposal_count(result.proposals);
  response->set_ballot_count(result.ballots);
  for (const PbNote& n : result.notes) {
    auto* note = response->add_notes();
    note->set_line(n.line);
    note->set_text(n.text);
  }
  return grpc::Status::OK;
}

grpc::Status VotingGrpcService::ListProjects(Ctx* context, const pb::ListProjectsRequest* request,
                                             pb::ListProjectsResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  ProjectFilter filter;
  filter.round_id = request->round_id();
  filter.district_id = request->district_id();
  ASSIGN_OR_RETURN(filter.status, FromProto(request->status()), ToGrpcStatus);
  filter.agency = request->agency();
  filter.budget_line_id = request->budget_line_id();
  ASSIGN_OR_RETURN(auto projects, app_->ListProjects(filter), ToGrpcStatus);
  for (const auto& p : projects) ToProto(p, response->add_projects());
  return grpc::Status::OK;
}

grpc::Status VotingGrpcService::GetProject(Ctx* context, const pb::GetProjectRequest* request,
                                           pb::GetProjectResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  ASSIGN_OR_RETURN(auto found, app_->GetProject(request->project_id()), ToGrpcStatus);
  ToProto(found.project, response->mutable_project());
  for (const auto& u : found.updates) ToProto(u, response->add_updates());
  return grpc::Status::OK;
}

grpc::Status VotingGrpcService::UpdateProject(Ctx* context, const pb::UpdateProjectRequest* request,
                                              pb::UpdateProjectResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  ASSIGN_OR_RETURN(auto by, Authorize(*context, {Role::kTracker, Role::kRoundAdmin}, Access::kWrite, "UpdateProject"),
                   ToGrpcStatus);
  ProjectChange change;
  change.text = request->text();
  change.link = request->link();
  change.reason = request->reason();
  ASSIGN_OR_RETURN(change.status, FromProto(request->status()), ToGrpcStatus);
  if (request->has_progress_percent()) change.progress_percent = request->progress_percent();
  if (request->has_committed_baht()) change.committed_baht = request->committed_baht();
  if (request->has_spent_baht()) change.spent_baht = request->spent_baht();
  if (!request->agency().empty()) change.agency = request->agency();
  if (request->set_budget_lines()) {
    change.budget_line_ids = std::vector<int64_t>(request->budget_line_ids().begin(), request->budget_line_ids().end());
  } else if (request->budget_line_ids_size() > 0) {
    return ToGrpcStatus(
        absl::InvalidArgumentError("budget_line_ids replaces the list only with set_budget_lines: true"));
  }
  ASSIGN_OR_RETURN(auto updated, app_->UpdateProject(request->project_id(), change, by), ToGrpcStatus);
  ToProto(updated.first, response->mutable_project());
  ToProto(updated.second, response->mutable_update());
  return grpc::Status::OK;
}

}  // namespace bkk::voting
