// keyword-analytics gRPC adapter; see keyword_grpc_service.h.
#include "services/keyword_analytics/grpc/keyword_grpc_service.h"

#include <cmath>

#include "common/grpc_server.h"
#include "common/grpc_status.h"
#include "common/status_macros.h"
#include "common/trace.h"

namespace bkk::keywords {
namespace pb = bkkbudget::keywords::v1;
namespace {

grpc::Status NotReady() {
  return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                      "the keyword index is still being built from budget-data; try again shortly");
}

void ToProto(const KeywordStat& k, pb::KeywordCount* out) {
  out->set_keyword(k.term);
  out->set_line_count(static_cast<int32_t>(k.line_count));
  out->set_amount_baht(k.amount_baht_total);
  out->set_topical(k.topical);
}

}  // namespace

grpc::Status KeywordGrpcService::ListTopKeywords(Ctx* context, const pb::ListTopKeywordsRequest* request,
                                                 pb::ListTopKeywordsResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  auto snap = holder_->Get();
  if (!snap) return NotReady();
  ASSIGN_OR_RETURN(auto top, snap->TopKeywords(LineFilterFromProto(request->filter()), request->limit()), ToGrpcStatus);
  for (const auto& k : top) ToProto(k, response->add_keywords());
  response->set_release_version(snap->release_version());
  response->set_line_count(static_cast<int32_t>(snap->CountLines(LineFilterFromProto(request->filter()))));
  response->set_boilerplate_agency_percent(static_cast<int32_t>(std::lround(kBoilerplateAgencyShare * 100)));
  response->set_agency_count(snap->agency_count());
  for (const auto& h : snap->hidden_keywords()) {
    auto* ph = response->add_hidden();
    ph->set_keyword(h.term);
    ph->set_reason(h.reason == HiddenReason::kReviewed ? pb::HIDDEN_REASON_REVIEWED : pb::HIDDEN_REASON_BOILERPLATE);
    ph->set_agency_count(h.agency_count);
    ph->set_line_count(h.line_count);
  }
  return grpc::Status::OK;
}

grpc::Status KeywordGrpcService::SearchLines(Ctx* context, const pb::SearchLinesRequest* request,
                                             pb::SearchLinesResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  auto snap = holder_->Get();
  if (!snap) return NotReady();
  SearchRequest req;
  req.query = request->query();
  req.filter = LineFilterFromProto(request->filter());
  switch (request->sort()) {
    case pb::SEARCH_SORT_AMOUNT_DESC:
      req.sort = SortOrder::kAmountDesc;
      break;
    case pb::SEARCH_SORT_AMOUNT_ASC:
      req.sort = SortOrder::kAmountAsc;
      break;
    default:
      req.sort = SortOrder::kRelevance;
  }
  req.page_size = request->page_size();
  req.page_token = request->page_token();
  ASSIGN_OR_RETURN(auto page, snap->Search(req), ToGrpcStatus);
  for (const auto& h : page.hits) {
    auto* ph = response->add_hits();
    ph->set_line_id(h.line_id);
    ph->set_name(h.name);
    ph->set_amount_baht(h.amount_baht);
    ph->set_fiscal_year(h.fiscal_year);
    ph->set_agency(h.agency);
    ph->set_mission_type(h.plan);
    ph->set_strategy_id(h.strategy == kUnclassified ? "" : h.strategy);
    ph->set_district_id(h.district_id);
    for (const auto& r : h.highlights) {
      auto* pr = ph->add_highlights();
      pr->set_start(r.begin_utf16);
      pr->set_end(r.end_utf16);
    }
  }
  response->set_next_page_token(page.next_page_token);
  response->set_total_count(static_cast<int32_t>(page.total_count));
  response->set_total_amount_baht(page.total_amount_baht);
  for (const auto& t : snap->segmenter().Tokenize(request->query())) {
    if (!snap->segmenter().IsStopWord(t.text)) response->add_query_terms(t.text);
  }
  response->set_release_version(snap->release_version());
  return grpc::Status::OK;
}

grpc::Status KeywordGrpcService::SuggestKeywords(Ctx* context, const pb::SuggestKeywordsRequest* request,
                                                 pb::SuggestKeywordsResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  auto snap = holder_->Get();
  if (!snap) return NotReady();
  ASSIGN_OR_RETURN(auto s, snap->Suggest(request->prefix(), request->limit()), ToGrpcStatus);
  for (const auto& k : s) ToProto(k, response->add_suggestions());
  return grpc::Status::OK;
}

grpc::Status KeywordGrpcService::SegmentText(Ctx* context, const pb::SegmentTextRequest* request,
                                             pb::SegmentTextResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  auto snap = holder_->Get();
  if (!snap) return NotReady();
  ASSIGN_OR_RETURN(auto tokens, snap->Segment(request->text()), ToGrpcStatus);
  for (const auto& t : tokens) {
    auto* pt = response->add_tokens();
    pt->set_text(t.text);
    pt->mutable_range()->set_start(t.begin_utf16);
    pt->mutable_range()->set_end(t.end_utf16);
    pt->set_stop_word(snap->segmenter().IsStopWord(t.text));
  }
  return grpc::Status::OK;
}

grpc::Status KeywordGrpcService::GetIndexStatus(Ctx* context, const pb::GetIndexStatusRequest*,
                                                pb::GetIndexStatusResponse* response) {
  const ScopedTraceId trace(TraceIdOf(*context));
  auto snap = holder_->Get();
  if (!snap) return NotReady();
  auto st = snap->Status();
  response->set_release_version(st.release_version);
  response->set_line_count(static_cast<int32_t>(st.line_count));
  response->set_term_count(static_cast<int32_t>(st.term_count));
  response->set_build_millis(st.build_duration_ms);
  response->set_memory_bytes(st.approximate_memory_bytes);
  if (loader_ != nullptr) response->set_built_at(loader_->published_at());
  return grpc::Status::OK;
}

}  // namespace bkk::keywords
