// budget-data gRPC adapter; see budget_grpc_service.h.
#include "services/budget_data/grpc/budget_grpc_service.h"

#include "absl/strings/str_cat.h"
#include "common/grpc_server.h"
#include "common/grpc_status.h"
#include "common/line_filter.h"
#include "common/log.h"
#include "common/operators/grpc_caller.h"
#include "common/request_language.h"
#include "common/status_macros.h"
#include "common/trace.h"

namespace bkk::budget {
namespace pb = bkkbudget::budget::v1;
namespace {

pb::StrategyConfidence ToProto(StrategyConfidence c) {
  switch (c) {
    case StrategyConfidence::kUnmapped:
      return pb::STRATEGY_CONFIDENCE_UNSPECIFIED;
    case StrategyConfidence::kExact:
      return pb::STRATEGY_CONFIDENCE_EXACT;
    case StrategyConfidence::kByName:
      return pb::STRATEGY_CONFIDENCE_BY_NAME;
    case StrategyConfidence::kNone:
      return pb::STRATEGY_CONFIDENCE_NONE;
  }
  return pb::STRATEGY_CONFIDENCE_UNSPECIFIED;
}

constexpr int kStreamChunk = 256;

LineSort FromProto(pb::LineSort sort) {
  switch (sort) {
    case pb::LINE_SORT_AMOUNT_ASC:
      return LineSort::kAmountAsc;
    case pb::LINE_SORT_NAME:
      return LineSort::kName;
    default:
      return LineSort::kAmountDesc;
  }
}

void ToProto(const BudgetLine& l, pb::BudgetLine* out) {
  out->set_line_id(l.line_id);
  out->set_fiscal_year(l.fiscal_year);
  out->set_agency(l.agency);
  out->set_mission_type(l.mission_type);
  out->set_name(l.name);
  out->set_amount_baht(l.amount_baht);
  out->set_strategy_id(l.strategy_id);
  out->set_sub_dimension_id(l.sub_dimension_id);
  out->set_strategy_source(l.strategy_source);
  out->set_strategy_confidence(ToProto(l.strategy_confidence));
  out->set_district_id(l.district_id);
  out->set_source_ref(l.source_ref);
  out->set_source_page(l.source_page);
  out->set_category(l.category);
  out->set_source_document(l.source_document);
}

void ToProto(const Dataset& ds, Language language, pb::Release* out) {
  out->set_version(ds.version);
  out->set_imported_at(ds.imported_at);
  // A release imported before Thai sources were kept has only the English.
  out->set_source(ds.source.In(language).empty() ? ds.source.en : ds.source.In(language));
  out->set_line_count(static_cast<int32_t>(ds.lines.size()));
  int64_t total = 0;
  for (const auto& l : ds.lines) total += l.amount_baht;
  out->set_total_baht(total);
  for (const auto& d : ds.documents) {
    auto* year = out->add_years();
    year->set_fiscal_year(d.fiscal_year);
    year->set_scope(d.kind);
    year->set_document(d.title.In(language));
    for (const auto& l : ds.lines) {
      if (l.fiscal_year != d.fiscal_year) continue;
      year->set_line_count(year->line_count() + 1);
      year->set_total_baht(year->total_baht() + l.amount_baht);
    }
  }
  for (const auto& f : ds.files) {
    auto* file = out->add_files();
    file->set_path(f.path);
    file->set_sha256(f.sha256);
    file->set_size_bytes(f.size_bytes);
    file->set_rows(f.rows);
  }
}

}  // namespace

grpc::Status BudgetGrpcService::ListFrameworks(Ctx* context, const pb::ListFrameworksRequest*,
                                               pb::ListFrameworksResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  ASSIGN_OR_RETURN(auto snap, core_->RequireSnapshot(), ToGrpcStatus);
  for (const auto& fw : snap->dataset().frameworks) {
    auto* f = response->add_frameworks();
    f->set_kind(fw.kind == FrameworkKind::kStrategies7 ? pb::FRAMEWORK_KIND_STRATEGIES_7
                                                       : pb::FRAMEWORK_KIND_POLICIES_9);
    f->set_name(fw.name);
    f->set_first_year(fw.first_year);
    f->set_last_year(fw.last_year);
    for (const auto& s : fw.strategies) {
      auto* ps = f->add_strategies();
      ps->set_id(s.id);
      ps->set_name(s.name);
      ps->set_side(s.side);
      ps->set_name_en(s.name_en);
      ps->set_issue(s.issue);
      for (const auto& d : s.sub_dimensions) {
        auto* pd = ps->add_sub_dimensions();
        pd->set_id(d.id);
        pd->set_name(d.name);
        pd->set_description(d.description);
        for (const auto& g : d.goals) pd->add_goals(g);
      }
    }
  }
  return grpc::Status::OK;
}

grpc::Status BudgetGrpcService::ListDistricts(Ctx* context, const pb::ListDistrictsRequest*,
                                              pb::ListDistrictsResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  ASSIGN_OR_RETURN(auto snap, core_->RequireSnapshot(), ToGrpcStatus);
  for (const auto& d : snap->dataset().districts) {
    auto* pd = response->add_districts();
    pd->set_id(d.id);
    pd->set_name_th(d.name_th);
    pd->set_name_en(d.name_en);
    pd->set_zipcode(d.zipcode);
    pd->set_office_agency(d.office_agency);
  }
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* BudgetGrpcService::GetOverview(grpc::CallbackServerContext* context,
                                                         const grpc::ByteBuffer* request, grpc::ByteBuffer* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  pb::GetOverviewRequest parsed;  // no fields, but the bytes must still be a message
  grpc::Slice bytes;
  if (!request->DumpToSingleSlice(&bytes).ok() || !parsed.ParseFromArray(bytes.begin(), bytes.size())) {
    reactor->Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "the request is not a GetOverviewRequest"));
    return reactor;
  }
  auto snap = core_->RequireSnapshot();
  if (!snap.ok()) {
    reactor->Finish(ToGrpcStatus(snap.status()));
    return reactor;
  }
  std::lock_guard<std::mutex> lock(overview_mu_);
  if (overview_of_ != *snap) {
    for (const Language language : {Language::kThai, Language::kEnglish}) {
      pb::GetOverviewResponse overview;
      overview.set_release_version((*snap)->version());
      for (const auto& y : (*snap)->overview()) {
        auto* py = overview.add_years();
        py->set_fiscal_year(y.fiscal_year);
        py->set_total_budget_baht(y.total_budget_baht);
        py->set_strategic_budget_baht(y.strategic_budget_baht);
        py->set_source(y.source.In(language));
        py->set_lines_scope(y.lines_scope);
        py->set_has_lines(y.has_lines);
        py->set_total_basis(y.total_basis);
        py->set_total_clause(y.total_clause);
        py->set_total_source_page(y.total_source_page);
        for (const auto& part : y.total_parts) {
          auto* pp = py->add_total_parts();
          pp->set_label_th(part.label_th);
          pp->set_label_en(part.label_en);
          pp->set_amount_baht(part.amount_baht);
          pp->set_clause(part.clause);
          pp->set_source_page(part.source_page);
        }
        for (const auto& st : y.by_strategy) {
          auto* ps = py->add_by_strategy();
          ps->set_strategy_id(st.strategy_id);
          ps->set_strategy_name(st.strategy_name);
          ps->set_amount_baht(st.amount_baht);
        }
      }
      grpc::Slice serialized(overview.SerializeAsString());
      overview_bytes_[static_cast<int>(language)] = grpc::ByteBuffer(&serialized, 1);
    }
    overview_of_ = *snap;
  }
  // Shares the slice: no copy, no serialization.
  *response = overview_bytes_[static_cast<int>(RequestLanguage(*context))];
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::Status BudgetGrpcService::ListTopAgencies(Ctx* context, const pb::ListTopAgenciesRequest* request,
                                                pb::ListTopAgenciesResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  ASSIGN_OR_RETURN(auto snap, core_->RequireSnapshot(), ToGrpcStatus);
  ASSIGN_OR_RETURN(auto top, snap->ListTopAgencies(request->fiscal_year(), request->limit()), ToGrpcStatus);
  response->set_fiscal_year(top.fiscal_year);
  response->set_agency_count(top.agency_count);
  response->set_year_total_baht(top.year_total_baht);
  response->set_note(top.note.In(RequestLanguage(*context)));
  response->set_note_th(top.note.th);
  auto set_agency = [](const AgencyAmount& a, pb::AgencyAmount* pa) {
    pa->set_agency(a.agency);
    pa->set_amount_baht(a.amount_baht);
    pa->set_line_count(a.line_count);
    pa->set_unit_kind(a.unit_kind);
  };
  for (const auto& a : top.agencies) set_agency(a, response->add_agencies());
  if (top.central_fund.has_value()) set_agency(*top.central_fund, response->mutable_central_fund());
  return grpc::Status::OK;
}

grpc::Status BudgetGrpcService::GetBreakdown(Ctx* context, const pb::GetBreakdownRequest* request,
                                             pb::GetBreakdownResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  ASSIGN_OR_RETURN(auto snap, core_->RequireSnapshot(), ToGrpcStatus);
  Dimension dim;
  switch (request->dimension()) {
    case pb::BREAKDOWN_DIMENSION_AGENCY:
      dim = Dimension::kAgency;
      break;
    case pb::BREAKDOWN_DIMENSION_MISSION_TYPE:
      dim = Dimension::kMissionType;
      break;
    case pb::BREAKDOWN_DIMENSION_DISTRICT:
      dim = Dimension::kDistrict;
      break;
    case pb::BREAKDOWN_DIMENSION_STRATEGY:
      dim = Dimension::kStrategy;
      break;
    case pb::BREAKDOWN_DIMENSION_EXPENSE_CATEGORY:
      dim = Dimension::kExpenseCategory;
      break;
    default:
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "dimension is required: AGENCY, MISSION_TYPE, DISTRICT, STRATEGY or EXPENSE_CATEGORY");
  }
  ASSIGN_OR_RETURN(auto b, snap->GetBreakdown(request->fiscal_year(), dim, LineFilterFromProto(request->filter())),
                   ToGrpcStatus);
  response->set_fiscal_year(b.fiscal_year);
  response->set_dimension(request->dimension());
  response->set_total_baht(b.total_baht);
  for (const auto& item : b.items) {
    auto* pi = response->add_items();
    pi->set_key(item.key);
    pi->set_label(item.label);
    pi->set_amount_baht(item.amount_baht);
    pi->set_line_count(item.line_count);
  }
  return grpc::Status::OK;
}

grpc::Status BudgetGrpcService::ListDistrictTotals(Ctx* context, const pb::ListDistrictTotalsRequest* request,
                                                   pb::ListDistrictTotalsResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  ASSIGN_OR_RETURN(auto snap, core_->RequireSnapshot(), ToGrpcStatus);
  ASSIGN_OR_RETURN(auto totals, snap->ListDistrictTotals(request->district_id(), request->fiscal_year()), ToGrpcStatus);
  for (const auto& t : totals) {
    auto* pt = response->add_totals();
    pt->set_district_id(t.district_id);
    pt->set_fiscal_year(t.fiscal_year);
    pt->set_total_baht(t.total_baht);
    for (const auto& [topic, amount] : t.topic_baht) (*pt->mutable_topic_baht())[topic] = amount;
  }
  return grpc::Status::OK;
}

grpc::Status BudgetGrpcService::CompareDistrictYears(Ctx* context, const pb::CompareDistrictYearsRequest* request,
                                                     pb::CompareDistrictYearsResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  ASSIGN_OR_RETURN(auto snap, core_->RequireSnapshot(), ToGrpcStatus);
  ASSIGN_OR_RETURN(auto comparison, snap->CompareDistrictYears(request->from_year(), request->to_year()), ToGrpcStatus);
  auto side = [](const DistrictYearAmount& a, pb::DistrictYearAmount* out) {
    out->set_has_amount(a.has_amount);
    out->set_amount_baht(a.amount_baht);
    out->set_stated_check(a.stated_check);
    out->set_source_document(a.source_document);
    out->set_source_page(a.source_page);
    out->set_note(a.note);
  };
  response->set_from_year(comparison.from_year);
  response->set_to_year(comparison.to_year);
  response->set_from_total_baht(comparison.from_total_baht);
  response->set_to_total_baht(comparison.to_total_baht);
  response->set_note(comparison.note.In(RequestLanguage(*context)));
  for (const auto& row : comparison.rows) {
    auto* r = response->add_rows();
    r->set_district_id(row.district_id);
    r->set_name_th(row.name_th);
    r->set_name_en(row.name_en);
    r->set_office_agency(row.office_agency);
    side(row.from, r->mutable_from());
    side(row.to, r->mutable_to());
  }
  return grpc::Status::OK;
}

grpc::Status BudgetGrpcService::ListLines(Ctx* context, const pb::ListLinesRequest* request,
                                          pb::ListLinesResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  ASSIGN_OR_RETURN(auto snap, core_->RequireSnapshot(), ToGrpcStatus);
  ASSIGN_OR_RETURN(auto page,
                   snap->ListLines(LineFilterFromProto(request->filter()), FromProto(request->sort()),
                                   request->page_size(), request->page_token()),
                   ToGrpcStatus);
  for (const auto* l : page.lines) ToProto(*l, response->add_lines());
  response->set_next_page_token(page.next_page_token);
  response->set_total_count(page.total_count);
  response->set_total_amount_baht(page.total_amount_baht);
  return grpc::Status::OK;
}

grpc::Status BudgetGrpcService::GetLine(Ctx* context, const pb::GetLineRequest* request,
                                        pb::GetLineResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  ASSIGN_OR_RETURN(auto snap, core_->RequireSnapshot(), ToGrpcStatus);
  ASSIGN_OR_RETURN(auto line, snap->GetLine(request->line_id()), ToGrpcStatus);
  ToProto(*line, response->mutable_line());
  return grpc::Status::OK;
}

grpc::Status BudgetGrpcService::StreamLines(Ctx* context, const pb::StreamLinesRequest* request,
                                            grpc::ServerWriter<pb::StreamLinesResponse>* writer) {
  const ScopedTraceId trace(TraceIdOf(*context));
  ASSIGN_OR_RETURN(auto snap, core_->RequireSnapshot(), ToGrpcStatus);
  // The snapshot is held for the whole stream: one release, start to end.
  ASSIGN_OR_RETURN(auto lines, snap->MatchingLines(LineFilterFromProto(request->filter()), FromProto(request->sort())),
                   ToGrpcStatus);
  pb::StreamLinesResponse chunk;
  chunk.set_release_version(snap->version());
  for (size_t i = 0; i < lines.size(); ++i) {
    ToProto(*(lines)[i], chunk.add_lines());
    if (chunk.lines_size() == kStreamChunk || i + 1 == lines.size()) {
      if (context->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "client went away");
      if (!writer->Write(chunk)) return grpc::Status(grpc::StatusCode::CANCELLED, "client went away");
      chunk.clear_lines();
    }
  }
  if (lines.empty()) writer->Write(chunk);  // carries the release version
  return grpc::Status::OK;
}

grpc::Status BudgetGrpcService::GetRelease(Ctx* context, const pb::GetReleaseRequest*,
                                           pb::GetReleaseResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  ASSIGN_OR_RETURN(auto snap, core_->RequireSnapshot(), ToGrpcStatus);
  ToProto(snap->dataset(), RequestLanguage(*context), response->mutable_release());
  return grpc::Status::OK;
}

grpc::Status BudgetGrpcService::ImportDataset(Ctx* context, const pb::ImportDatasetRequest* request,
                                              pb::ImportDatasetResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  ASSIGN_OR_RETURN(auto by,
                   auth_->Authorize(operators::CallerOf(*context), {operators::Role::kDataAdmin},
                                    operators::Access::kWrite, "ImportDataset"),
                   ToGrpcStatus);
  DatasetFiles files;
  for (const auto& f : request->files()) {
    if (!files.emplace(f.path(), f.content()).second) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, absl::StrCat("files: \"", f.path(), "\" is sent twice"));
    }
  }
  ASSIGN_OR_RETURN(auto result, core_->Import(files, request->dry_run(), by), ToGrpcStatus);
  LogInfo("dataset_import", {{"version", result.version},
                             {"changed", result.changed ? "true" : "false"},
                             {"dry_run", request->dry_run() ? "true" : "false"}});
  response->set_changed(result.changed);
  response->set_checks_passed(result.checks_passed);
  for (const auto& p : result.problems) {
    auto* pp = response->add_problems();
    pp->set_file(p.file);
    pp->set_line(p.line);
    pp->set_reason(p.reason);
  }
  if (auto snap = core_->snapshot(); snap && !request->dry_run())
    ToProto(snap->dataset(), RequestLanguage(*context), response->mutable_release());
  return grpc::Status::OK;
}

}  // namespace bkk::budget
