// Table-driven transcoding tests in the style of Envoy's transcoder tests,
// through the real gateway server and fake gRPC backends: an HTTP request
// goes in, the backend must see exactly the expected gRPC request, answers
// with a canned response or status, and the client must get exactly the
// expected HTTP status and body. Every route of the table needs at least
// one successful case (adding an RPC without a case fails
// EveryRouteHasACase), and every gRPC status code is checked against the
// mapping written out independently here.
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "common/trace.h"
#include "gateway/core/status_map.h"
#include "gateway/tests/gateway_test_support.h"

namespace bkk::gateway::testing {
namespace {

using google::protobuf::Message;

constexpr char kClientTraceId[] = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr char kClientTrace[] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

struct Case {
  std::string name;
  std::string http_method;
  std::string target;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // The gRPC method that must be called ("" = none may be called), the
  // request it must get (text format) and its canned answer.
  std::string grpc_method;
  std::string grpc_request;
  std::vector<std::string> grpc_responses;
  grpc::StatusCode grpc_code = grpc::StatusCode::OK;
  std::string grpc_message;
  // What the client must get.
  int http_status = 200;
  std::string http_body;
  std::string content_type = "application/json; charset=utf-8";
};

constexpr char kBudget[] = "bkkbudget.budget.v1.BudgetService.";
constexpr char kKeywords[] = "bkkbudget.keywords.v1.KeywordService.";
constexpr char kVoting[] = "bkkbudget.voting.v1.VotingService.";

std::string M(const char* service, const char* method) { return std::string(service) + method; }

// After the vote: a result's CSV and implementation tracking.
std::vector<Case> AfterTheVoteCases() {
  const std::string csv = "text/csv; charset=utf-8";
  return {
      {"ComputeOutcome (operators' path)",
       "GET",
       "/v1/admin/rounds/5/districts/12/outcome",
       "",
       {},
       M(kVoting, "ComputeOutcome"),
       "round_id: 5 district_id: 12",
       {"budget_baht: 10"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"rule":"OUTCOME_RULE_UNSPECIFIED","budgetBaht":"10","spentBaht":"0","projects":[],"voterCount":"0","summary":"",)"
       R"("official":false,"publishedAt":"","minProjectSupport":"0","currency":"","moneyScale":0,"budget":"","spent":"",)"
       R"("language":""})"},
      {"ComputeOutcome",
       "GET",
       "/v1/rounds/5/districts/12/outcome?rule=OUTCOME_RULE_EQUAL_SHARES&language=th",
       "",
       {},
       M(kVoting, "ComputeOutcome"),
       "round_id: 5 district_id: 12 rule: OUTCOME_RULE_EQUAL_SHARES language: \"th\"",
       {R"(rule: OUTCOME_RULE_EQUAL_SHARES budget_baht: 100 spent_baht: 90 projects { proposal_id: 77 title: "สวน" cost_baht: 90 support: 3 funded: true explanation: "e" } voter_count: 3)"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"rule":"OUTCOME_RULE_EQUAL_SHARES","budgetBaht":"100","spentBaht":"90","projects":[{"proposalId":"77","title":"สวน","costBaht":"90","support":"3","funded":true,"explanation":"e","reason":"PROJECT_REASON_UNSPECIFIED","cost":""}],"voterCount":"3",)"
       R"("summary":"",)"
       R"("official":false,"publishedAt":"","minProjectSupport":"0","currency":"","moneyScale":0,"budget":"","spent":"",)"
       R"("language":""})"},
      {"a district's official result as CSV (the outcome's rows, quoted where needed)",
       "GET",
       "/v1/rounds/5/districts/12/results.csv",
       "",
       {},
       M(kVoting, "ComputeOutcome"),
       "round_id: 5 district_id: 12",
       {R"(official: true projects { proposal_id: 77 title: "สวน, \"ริมคลอง\"" cost_baht: 90 support: 3 funded: true explanation: "e" })"},
       grpc::StatusCode::OK,
       "",
       200,
       "\xEF\xBB\xBFproposal_id,title,cost_baht,support,funded,explanation\r\n77,\"สวน, "
       "\"\"ริมคลอง\"\"\",90,3,true,e\r\n",
       csv},
      {"ListProjects with every filter",
       "GET",
       "/v1/projects?roundId=5&districtId=12&status=PROJECT_STATUS_IN_PROGRESS&agency=%E0%B8%AA&budgetLineId=9",
       "",
       {},
       M(kVoting, "ListProjects"),
       R"(round_id: 5 district_id: 12 status: PROJECT_STATUS_IN_PROGRESS agency: "ส" budget_line_id: 9)",
       {R"(projects { project_id: 1 round_id: 5 district_id: 12 status: PROJECT_STATUS_IN_PROGRESS budget_line_ids: 9 })"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"projects":[{"projectId":"1","roundId":"5","districtId":12,"proposalId":"0","title":"","fundedBaht":"0","agency":"",)"
       R"("status":"PROJECT_STATUS_IN_PROGRESS","statusReason":"","progressPercent":0,"committedBaht":"0","spentBaht":"0","budgetLineIds":["9"],"createdAt":"","updatedAt":""}]})"},
      {"GetProject",
       "GET",
       "/v1/projects/3",
       "",
       {},
       M(kVoting, "GetProject"),
       "project_id: 3",
       {R"(project { project_id: 3 } updates { update_id: 4 text: "เริ่มงาน" })"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"project":{"projectId":"3","roundId":"0","districtId":0,"proposalId":"0","title":"","fundedBaht":"0",)"
       R"("agency":"","status":"PROJECT_STATUS_UNSPECIFIED","statusReason":"","progressPercent":0,"committedBaht":"0","spentBaht":"0","budgetLineIds":[],"createdAt":"","updatedAt":""},)"
       R"("updates":[{"updateId":"4","at":"","operatorName":"","text":"เริ่มงาน","link":"","status":"PROJECT_STATUS_UNSPECIFIED","progressPercent":0,"committedBaht":"0","spentBaht":"0","agency":"","reason":""}]})"},
      {"UpdateProject: unset optional fields stay unset; a zero is sent",
       "POST",
       "/v1/admin/projects/3:update",
       R"({"text":"ตรวจรับงาน","progressPercent":0,"spentBaht":"120","budgetLineIds":["7","8"],"setBudgetLines":true})",
       {{"authorization", "Bearer k"}},
       M(kVoting, "UpdateProject"),
       R"(project_id: 3 text: "ตรวจรับงาน" progress_percent: 0 spent_baht: 120 budget_line_ids: 7 budget_line_ids: 8 set_budget_lines: true)",
       {R"(update { update_id: 5 })"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"update":{"updateId":"5","at":"","operatorName":"","text":"","link":"",)"
       R"("status":"PROJECT_STATUS_UNSPECIFIED","progressPercent":0,"committedBaht":"0","spentBaht":"0","agency":"","reason":""}})"}};
}

// Every other route, by service.
std::vector<Case> ServiceCases() {
  const std::string csv_header =
      "\xEF\xBB\xBFline_id,fiscal_year,agency,mission_type,name,category,amount_baht,strategy_id,district_id,source_"
      "document,source_page\r\n";
  const std::string sse = "text/event-stream; charset=utf-8";
  const std::string csv = "text/csv; charset=utf-8";
  return {
      // ---- budget-data ----
      {"ListFrameworks",
       "GET",
       "/v1/budget/frameworks",
       "",
       {},
       M(kBudget, "ListFrameworks"),
       "",
       {R"(frameworks { kind: FRAMEWORK_KIND_STRATEGIES_7 name: "แผน 20 ปี" first_year: 2561 last_year: 2580 })"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"frameworks":[{"kind":"FRAMEWORK_KIND_STRATEGIES_7","name":"แผน 20 ปี","firstYear":2561,"lastYear":2580,"strategies":[]}]})"},
      {"ListDistricts",
       "GET",
       "/v1/budget/districts",
       "",
       {},
       M(kBudget, "ListDistricts"),
       "",
       {R"(districts { id: 1 name_th: "พระนคร" name_en: "Phra Nakhon" zipcode: "10200" office_agency: "สำนักงานเขตพระนคร" })"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"districts":[{"id":1,"nameTh":"พระนคร","nameEn":"Phra Nakhon","zipcode":"10200","officeAgency":"สำนักงานเขตพระนคร"}]})"},
      {"GetOverview",
       "GET",
       "/v1/budget/overview",
       "",
       {},
       M(kBudget, "GetOverview"),
       "",
       {R"(years { fiscal_year: 2566 total_budget_baht: 79719012050 has_lines: true total_parts { label_th: "ก" label_en: "a" amount_baht: 79000000000 clause: "ข้อ 4" source_page: 5 } total_basis: "ordinance" total_clause: "ข้อ 3" total_source_page: 5 } release_version: "abc")"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"years":[{"fiscalYear":2566,"totalBudgetBaht":"79719012050","strategicBudgetBaht":"0","byStrategy":[],"source":"","hasLines":true,"totalParts":[{"labelTh":"ก","labelEn":"a","amountBaht":"79000000000","clause":"ข้อ 4","sourcePage":5}],"totalBasis":"ordinance","totalClause":"ข้อ 3","totalSourcePage":5,"linesScope":""}],"releaseVersion":"abc"})"},
      {"ListTopAgencies",
       "GET",
       "/v1/budget/years/2566/top-agencies?limit=3",
       "",
       {},
       M(kBudget, "ListTopAgencies"),
       "fiscal_year: 2566 limit: 3",
       {R"(fiscal_year: 2566 agencies { agency: "สำนักการโยธา" amount_baht: 100 line_count: 2 unit_kind: "agency" } agency_count: 73 year_total_baht: 79719012050 central_fund { agency: "งบประมาณรายจ่ายงบกลาง" amount_baht: 7 line_count: 1 unit_kind: "central_fund" } note_th: "งบกลางแสดงแยก")"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"fiscalYear":2566,"agencies":[{"agency":"สำนักการโยธา","amountBaht":"100","lineCount":2,"unitKind":"agency"}],"agencyCount":73,"yearTotalBaht":"79719012050","note":"","centralFund":{"agency":"งบประมาณรายจ่ายงบกลาง","amountBaht":"7","lineCount":1,"unitKind":"central_fund"},"noteTh":"งบกลางแสดงแยก"})"},
      {"GetBreakdown by enum name, proto field names",
       "GET",
       "/v1/budget/years/2566/breakdown?dimension=BREAKDOWN_DIMENSION_DISTRICT&filter.strategy_id=s1",
       "",
       {},
       M(kBudget, "GetBreakdown"),
       R"(fiscal_year: 2566 dimension: BREAKDOWN_DIMENSION_DISTRICT filter { strategy_id: "s1" })",
       {R"(fiscal_year: 2566 dimension: BREAKDOWN_DIMENSION_DISTRICT items { key: "1" label: "พระนคร" amount_baht: 5 line_count: 1 } total_baht: 5)"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"fiscalYear":2566,"dimension":"BREAKDOWN_DIMENSION_DISTRICT","items":[{"key":"1","label":"พระนคร","amountBaht":"5","lineCount":1}],"totalBaht":"5"})"},
      {"GetBreakdown by enum number, JSON field names",
       "GET",
       "/v1/budget/years/2566/breakdown?dimension=2&filter.strategyId=unclassified&filter.districtId=7",
       "",
       {},
       M(kBudget, "GetBreakdown"),
       R"(fiscal_year: 2566 dimension: BREAKDOWN_DIMENSION_MISSION_TYPE filter { strategy_id: "unclassified" district_id: 7 })",
       {""},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"fiscalYear":0,"dimension":"BREAKDOWN_DIMENSION_UNSPECIFIED","items":[],"totalBaht":"0"})"},
      {"ListDistrictTotals",
       "GET",
       "/v1/budget/district-totals?district_id=1&fiscal_year=2566",
       "",
       {},
       M(kBudget, "ListDistrictTotals"),
       "district_id: 1 fiscal_year: 2566",
       {R"(totals { district_id: 1 fiscal_year: 2566 total_baht: 10 topic_baht { key: "flood" value: 3 } })"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"totals":[{"districtId":1,"fiscalYear":2566,"totalBaht":"10","topicBaht":{"flood":"3"}}]})"},
      {"CompareDistrictYears: a custom verb on a collection",
       "GET",
       "/v1/budget/district-offices:compare?from_year=2565&to_year=2566",
       "",
       {},
       M(kBudget, "CompareDistrictYears"),
       "from_year: 2565 to_year: 2566",
       {R"(from_year: 2565 to_year: 2566 rows { district_id: 32 name_th: "พระนคร" from { has_amount: true amount_baht: 378231950 source_document: "bma-budget-book-2565-districts/65026.pdf" source_page: 3 } })"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"fromYear":2565,"toYear":2566,"rows":[{"districtId":32,"nameTh":"พระนคร","nameEn":"","officeAgency":"","from":{"hasAmount":true,"amountBaht":"378231950","statedCheck":"","sourceDocument":"bma-budget-book-2565-districts/65026.pdf","sourcePage":3,"note":""}}],"fromTotalBaht":"0","toTotalBaht":"0","note":""})"},
      {"ListLines with a Thai filter, sort and paging",
       "GET",
       "/v1/budget/"
       "lines?filter.fiscal_year=2566&filter.agency=%E0%B8%AA%E0%B8%B3%E0%B8%99%E0%B8%B1%E0%B8%81%E0%B8%81"
       "%E0%B8%B2%E0%B8%A3%E0%B9%82%E0%B8%A2%E0%B8%98%E0%B8%B2&sort=LINE_SORT_AMOUNT_DESC&page_size=2&page_"
       "token=abc",
       "",
       {},
       M(kBudget, "ListLines"),
       R"(filter { fiscal_year: 2566 agency: "สำนักการโยธา" } sort: LINE_SORT_AMOUNT_DESC page_size: 2 page_token: "abc")",
       {R"(lines { line_id: 256600001 fiscal_year: 2566 name: "x" amount_baht: 7 } next_page_token: "n" total_count: 1 total_amount_baht: 7)"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"lines":[{"lineId":"256600001","fiscalYear":2566,"agency":"","missionType":"","name":"x","amountBaht":"7","strategyId":"","subDimensionId":"","districtId":0,"sourceRef":"","sourcePage":0,"category":"","strategySource":"","strategyConfidence":"STRATEGY_CONFIDENCE_UNSPECIFIED","sourceDocument":""}],"nextPageToken":"n","totalCount":1,"totalAmountBaht":"7"})"},
      {"ListLines: '+' and %20 are spaces",
       "GET",
       "/v1/budget/lines?filter.name_contains=a+b%20c",
       "",
       {},
       M(kBudget, "ListLines"),
       R"(filter { name_contains: "a b c" })",
       {""},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"lines":[],"nextPageToken":"","totalCount":0,"totalAmountBaht":"0"})"},
      {"GetLine",
       "GET",
       "/v1/budget/lines/256600001",
       "",
       {},
       M(kBudget, "GetLine"),
       "line_id: 256600001",
       {""},
       grpc::StatusCode::OK,
       "",
       200,
       "{}"},
      {"StreamLines as CSV",
       "GET",
       "/v1/budget/lines:stream?filter.fiscal_year=2566",
       "",
       {},
       M(kBudget, "StreamLines"),
       "filter { fiscal_year: 2566 }",
       {R"(lines { line_id: 1 fiscal_year: 2566 agency: "A" mission_type: "M" name: "x, \"y\"" amount_baht: 10 strategy_id: "s1" source_page: 6 } release_version: "r")",
        R"(lines { line_id: 2 fiscal_year: 2566 agency: "B" name: "ถนน" category: "งบลงทุน" amount_baht: 20 source_document: "b/65026.pdf" source_page: 23 })"},
       grpc::StatusCode::OK,
       "",
       200,
       csv_header + "1,2566,A,M,\"x, \"\"y\"\"\",,10,s1,0,,6\r\n2,2566,B,,ถนน,งบลงทุน,20,,0,b/65026.pdf,23\r\n",
       csv},
      {"CSV export with bare LineFilter parameters",
       "GET",
       "/v1/export/lines.csv?fiscal_year=2566&sort=LINE_SORT_NAME",
       "",
       {},
       M(kBudget, "StreamLines"),
       "filter { fiscal_year: 2566 } sort: LINE_SORT_NAME",
       {},
       grpc::StatusCode::OK,
       "",
       200,
       csv_header,
       csv},
      {"GetRelease",
       "GET",
       "/v1/budget/release",
       "",
       {},
       M(kBudget, "GetRelease"),
       "",
       {R"(release { version: "0123456789abcdef" files { path: "budget/x.csv" sha256: "aa" size_bytes: 10 rows: 2 } line_count: 3 total_baht: 4 })"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"release":{"version":"0123456789abcdef","files":[{"path":"budget/x.csv","sha256":"aa","sizeBytes":"10","rows":2}],"importedAt":"","lineCount":3,"totalBaht":"4","source":"","years":[]}})"},
      {"ImportDataset (bytes as base64)",
       "POST",
       "/v1/admin/budget:import",
       R"({"files":[{"path":"a.csv","content":"aGVsbG8="}],"dryRun":true})",
       {{"Authorization", "Bearer t"}},
       M(kBudget, "ImportDataset"),
       R"(files { path: "a.csv" content: "hello" } dry_run: true)",
       {"changed: true checks_passed: 231"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"changed":true,"checksPassed":231,"problems":[]})"},
      // ---- keyword-analytics ----
      {"ListTopKeywords",
       "GET",
       "/v1/keywords/top?filter.fiscal_year=2566&filter.district_id=3&limit=10",
       "",
       {},
       M(kKeywords, "ListTopKeywords"),
       "filter { fiscal_year: 2566 district_id: 3 } limit: 10",
       {R"(keywords { keyword: "ถนน" line_count: 5 amount_baht: 100 } release_version: "r" line_count: 9)"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"keywords":[{"keyword":"ถนน","lineCount":5,"amountBaht":"100","topical":false}],"releaseVersion":"r","lineCount":9,)"
       R"("hidden":[],"boilerplateAgencyPercent":0,"agencyCount":0})"},
      {"SearchLines",
       "GET",
       "/v1/keywords/search?query=%E0%B8%96%E0%B8%99%E0%B8%99&sort=SEARCH_SORT_AMOUNT_DESC&page_size=5",
       "",
       {},
       M(kKeywords, "SearchLines"),
       R"(query: "ถนน" sort: SEARCH_SORT_AMOUNT_DESC page_size: 5)",
       {R"(hits { line_id: 7 name: "ถนน" amount_baht: 1 fiscal_year: 2566 highlights { start: 0 end: 3 } } total_count: 1 total_amount_baht: 1 query_terms: "ถนน" release_version: "r")"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"hits":[{"lineId":"7","name":"ถนน","amountBaht":"1","fiscalYear":2566,"agency":"","missionType":"","strategyId":"","districtId":0,"highlights":[{"start":0,"end":3}]}],"nextPageToken":"","totalCount":1,"totalAmountBaht":"1","queryTerms":["ถนน"],"releaseVersion":"r"})"},
      {"SuggestKeywords",
       "GET",
       "/v1/keywords/suggest?prefix=%E0%B8%96&limit=2",
       "",
       {},
       M(kKeywords, "SuggestKeywords"),
       R"(prefix: "ถ" limit: 2)",
       {R"(suggestions { keyword: "ถนน" line_count: 1 amount_baht: 2 })"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"suggestions":[{"keyword":"ถนน","lineCount":1,"amountBaht":"2","topical":false}]})"},
      {"SegmentText",
       "POST",
       "/v1/keywords:segment",
       R"({"text":"ถนนหนทาง"})",
       {},
       M(kKeywords, "SegmentText"),
       R"(text: "ถนนหนทาง")",
       {R"(tokens { text: "ถนน" range { start: 0 end: 3 } })"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"tokens":[{"text":"ถนน","range":{"start":0,"end":3},"stopWord":false}]})"},
      {"GetIndexStatus",
       "GET",
       "/v1/keywords/status",
       "",
       {},
       M(kKeywords, "GetIndexStatus"),
       "",
       {R"(release_version: "r" line_count: 1 term_count: 2 build_millis: 3 memory_bytes: 4 built_at: "t")"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"releaseVersion":"r","lineCount":1,"termCount":2,"buildMillis":"3","memoryBytes":"4","builtAt":"t"})"},
      // ---- voting ----
      {"CreateRound",
       "POST",
       "/v1/admin/rounds",
       R"({"round":{"name":"PB 2567","fiscalYear":2567,"districts":[{"districtId":1,"budgetBaht":"1000000"}],"ballotRule":{"kind":"BALLOT_KIND_APPROVAL","maxChoices":3},"outcomeRule":"OUTCOME_RULE_GREEDY","identityMode":"IDENTITY_MODE_CITIZEN_ID"}})",
       {{"Authorization", "Bearer admin"}},
       M(kVoting, "CreateRound"),
       R"(round { name: "PB 2567" fiscal_year: 2567 districts { district_id: 1 budget_baht: 1000000 } ballot_rule { kind: BALLOT_KIND_APPROVAL max_choices: 3 } outcome_rule: OUTCOME_RULE_GREEDY identity_mode: IDENTITY_MODE_CITIZEN_ID })",
       {R"(round { round_id: 5 name: "PB 2567" phase: PHASE_PROPOSALS })"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"round":{"roundId":"5","name":"PB 2567","fiscalYear":0,"districts":[],"outcomeRule":"OUTCOME_RULE_UNSPECIFIED","identityMode":"IDENTITY_MODE_UNSPECIFIED","phase":"PHASE_PROPOSALS","createdAt":"","source":"","districtsPerVoter":"DISTRICTS_PER_VOTER_UNSPECIFIED","minProjectSupport":"0","moneyScale":0,"currency":""}})"},
      {"UpdateRoundRules",
       "POST",
       "/v1/admin/rounds/5:updateRules",
       R"({"ballotRule":{"kind":"BALLOT_KIND_KNAPSACK"},"outcomeRule":"OUTCOME_RULE_EQUAL_SHARES"})",
       {},
       M(kVoting, "UpdateRoundRules"),
       "round_id: 5 ballot_rule { kind: BALLOT_KIND_KNAPSACK } outcome_rule: OUTCOME_RULE_EQUAL_SHARES",
       {""},
       grpc::StatusCode::OK,
       "",
       200,
       "{}"},
      {"AdvanceRoundPhase: the path wins over the body",
       "POST",
       "/v1/admin/rounds/5:advance",
       R"({"roundId":"9","toPhase":3})",
       {},
       M(kVoting, "AdvanceRoundPhase"),
       "round_id: 5 to_phase: PHASE_VOTING",
       {"round { round_id: 5 phase: PHASE_VOTING }"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"round":{"roundId":"5","name":"","fiscalYear":0,"districts":[],"outcomeRule":"OUTCOME_RULE_UNSPECIFIED","identityMode":"IDENTITY_MODE_UNSPECIFIED","phase":"PHASE_VOTING","createdAt":"","source":"","districtsPerVoter":"DISTRICTS_PER_VOTER_UNSPECIFIED","minProjectSupport":"0","moneyScale":0,"currency":""}})"},
      {"GetRound",
       "GET",
       "/v1/rounds/5",
       "",
       {},
       M(kVoting, "GetRound"),
       "round_id: 5",
       {"round { round_id: 5 ballot_rule { kind: BALLOT_KIND_CUMULATIVE total_points: 10 "
        "max_points_per_project: 4 } }"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"round":{"roundId":"5","name":"","fiscalYear":0,"districts":[],"ballotRule":{"kind":"BALLOT_KIND_CUMULATIVE","maxChoices":0,"totalPoints":10,"maxPointsPerProject":4},"outcomeRule":"OUTCOME_RULE_UNSPECIFIED","identityMode":"IDENTITY_MODE_UNSPECIFIED","phase":"PHASE_UNSPECIFIED","createdAt":"","source":"","districtsPerVoter":"DISTRICTS_PER_VOTER_UNSPECIFIED","minProjectSupport":"0","moneyScale":0,"currency":""}})"},
      {"ListRounds: the archive of imported elections",
       "GET",
       "/v1/rounds?archive=true",
       "",
       {},
       M(kVoting, "ListRounds"),
       "archive: true",
       {""},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"rounds":[]})"},
      {"SubmitProposal",
       "POST",
       "/v1/rounds/5/districts/12/proposals",
       R"({"title":"สวน","description":"<b>x</b>","strategyTag":"s1","estimatedCostBaht":"250000"})",
       {},
       M(kVoting, "SubmitProposal"),
       R"(round_id: 5 district_id: 12 title: "สวน" description: "<b>x</b>" strategy_tag: "s1" estimated_cost_baht: 250000)",
       {R"(proposal { proposal_id: 77 round_id: 5 district_id: 12 title: "สวน" status: MODERATION_STATUS_PENDING })"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"proposal":{"proposalId":"77","roundId":"5","districtId":12,"title":"สวน","description":"","strategyTag":"","estimatedCostBaht":"0","status":"MODERATION_STATUS_PENDING","rejectionReason":"","createdAt":"","externalId":""},"authorToken":""})"},
      {"ModerateProposal (proto field names in the body)",
       "POST",
       "/v1/admin/proposals/77:moderate",
       R"({"approve":false,"rejection_reason":"ซ้ำ"})",
       {},
       M(kVoting, "ModerateProposal"),
       R"(proposal_id: 77 rejection_reason: "ซ้ำ")",
       {""},
       grpc::StatusCode::OK,
       "",
       200,
       "{}"},
      {"ListProposals",
       "GET",
       "/v1/rounds/5/districts/12/proposals?include_unmoderated=true",
       "",
       {},
       M(kVoting, "ListProposals"),
       "round_id: 5 district_id: 12 include_unmoderated: true",
       {""},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"proposals":[]})"},
      {"GetProposal",
       "GET",
       "/v1/proposals/77",
       "",
       {},
       M(kVoting, "GetProposal"),
       "proposal_id: 77",
       {"support: 12"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"support":"12"})"},
      {"SignIn: the session token never reaches the page",
       "POST",
       "/v1/admin/session:signIn",
       R"({"operatorKey":"bkkop_x"})",
       {},
       M(kVoting, "SignIn"),
       R"(operator_key: "bkkop_x")",
       {R"(operator { name: "anong" roles: OPERATOR_ROLE_MODERATOR } session_token: "s3cret" csrf_token: "c1" expires_at: 4102444800)"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"operator":{"name":"anong","roles":["OPERATOR_ROLE_MODERATOR"],"createdAt":""},"sessionToken":"","csrfToken":"c1","expiresAt":"4102444800"})"},
      {"SignOut",
       "POST",
       "/v1/admin/session:signOut",
       "{}",
       {},
       M(kVoting, "SignOut"),
       "",
       {""},
       grpc::StatusCode::OK,
       "",
       200,
       "{}"},
      {"GetSession",
       "GET",
       "/v1/admin/session",
       "",
       {},
       M(kVoting, "GetSession"),
       "",
       {R"(csrf_token: "c1")"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"csrfToken":"c1","expiresAt":"0"})"},
      {"CreateOperator",
       "POST",
       "/v1/admin/operators",
       R"({"name":"anong","roles":["OPERATOR_ROLE_ROUND_ADMIN"]})",
       {},
       M(kVoting, "CreateOperator"),
       R"(name: "anong" roles: OPERATOR_ROLE_ROUND_ADMIN)",
       {R"(operator_key: "bkkop_k")"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"operatorKey":"bkkop_k"})"},
      {"ListAuditEvents",
       "GET",
       "/v1/admin/audit?round_id=5&operator_name=anong&page_size=20",
       "",
       {},
       M(kVoting, "ListAuditEvents"),
       R"(round_id: 5 operator_name: "anong" page_size: 20)",
       {R"(events { event_id: 3 operator_name: "anong" role: "round-admin" action: "AdvanceRoundPhase" target: "round 5" })"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"events":[{"eventId":"3","operatorName":"anong","role":"round-admin","action":"AdvanceRoundPhase","target":"round 5","summary":"","requestId":"","at":"","roundId":"0"}],"nextPageToken":""})"},
      {"ListProposals (operators' path)",
       "GET",
       "/v1/admin/rounds/5/districts/12/proposals?include_unmoderated=true",
       "",
       {},
       M(kVoting, "ListProposals"),
       "round_id: 5 district_id: 12 include_unmoderated: true",
       {""},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"proposals":[]})"},
      {"GetProposal (operators' path)",
       "GET",
       "/v1/admin/proposals/77",
       "",
       {},
       M(kVoting, "GetProposal"),
       "proposal_id: 77",
       {"support: 1"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"support":"1"})"},
      {"GetProposal (the author's private link)",
       "GET",
       "/v1/proposals/77?author_token=abc",
       "",
       {},
       M(kVoting, "GetProposal"),
       R"(proposal_id: 77 author_token: "abc")",
       {"support: 0"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"support":"0"})"},
      {"ExportPabulib (operators' path)",
       "GET",
       "/v1/admin/rounds/5/districts/12/pabulib",
       "",
       {},
       M(kVoting, "ExportPabulib"),
       "round_id: 5 district_id: 12",
       {R"(filename: "a.pb")"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"filename":"a.pb","content":""})"},
      {"ListTallyLog",
       "GET",
       "/v1/tally-log?round_id=5",
       "",
       {},
       M(kVoting, "ListTallyLog"),
       "round_id: 5",
       {R"(entries { entry_id: 1 round_id: 5 district_id: 12 voter_count: 2 merkle_root: "\x01\x02" })"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"entries":[{"entryId":"1","roundId":"5","districtId":12,"voterCount":"2","tally":[],"merkleRoot":"AQI=","at":"","previousHash":"","entryHash":""}]})"},
      {"GetBulletin",
       "GET",
       "/v1/rounds/5/districts/12/bulletin",
       "",
       {},
       M(kVoting, "GetBulletin"),
       "round_id: 5 district_id: 12",
       {R"(ballots: "77:1")"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"commitments":[],"ballots":["77:1"]})"},
      {"GetBulletin (operators' path)",
       "GET",
       "/v1/admin/rounds/5/districts/12/bulletin",
       "",
       {},
       M(kVoting, "GetBulletin"),
       "round_id: 5 district_id: 12",
       {""},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"commitments":[],"ballots":[]})"},
      {"RegisterVoter",
       "POST",
       "/v1/rounds/5/voters",
       R"({"citizenId":"1101700203451"})",
       {},
       M(kVoting, "RegisterVoter"),
       R"(round_id: 5 citizen_id: "1101700203451")",
       {R"(voter_token: "tok" expires_at: 1700000000)"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"voterToken":"tok","expiresAt":"1700000000"})"},
      {"CastBallot",
       "POST",
       "/v1/rounds/5/districts/12/ballots",
       R"({"voterToken":"tok","choices":[{"proposalId":"77","points":1},{"proposalId":78,"points":1}],"idempotencyKey":"k1"})",
       {{"Content-Type", "application/json; charset=utf-8"}},
       M(kVoting, "CastBallot"),
       R"(round_id: 5 district_id: 12 voter_token: "tok" choices { proposal_id: 77 points: 1 } choices { proposal_id: 78 points: 1 } idempotency_key: "k1")",
       {R"(receipt_code: "R-1" ballot_id: 9)"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"receiptCode":"R-1","ballotId":"9","replayed":false,"commitmentNonce":""})"},
      {"CheckReceipt",
       "GET",
       "/v1/receipts/R-1",
       "",
       {},
       M(kVoting, "CheckReceipt"),
       R"(receipt_code: "R-1")",
       {R"(counted: true round_id: 5 district_id: 12 cast_at: "2024-01-01T00:00:00Z")"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"counted":true,"roundId":"5","districtId":12,"castAt":"2024-01-01T00:00:00Z","choices":[],"commitment":""})"},
      {"GetTopProposals",
       "GET",
       "/v1/rounds/5/districts/12/top?limit=10",
       "",
       {},
       M(kVoting, "GetTopProposals"),
       "round_id: 5 district_id: 12 limit: 10",
       {R"(proposals { proposal_id: 77 title: "สวน" support: 3 estimated_cost_baht: 250000 rank: 1 } voter_count: 3 served_from: "redis")"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"proposals":[{"proposalId":"77","title":"สวน","support":"3","estimatedCostBaht":"250000","rank":1}],"voterCount":"3","servedFrom":"redis"})"},
      {"GetTurnout",
       "GET",
       "/v1/rounds/5/turnout",
       "",
       {},
       M(kVoting, "GetTurnout"),
       "round_id: 5",
       {"districts { district_id: 12 voter_count: 3 } total_voters: 3"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"districts":[{"districtId":12,"voterCount":"3"}],"totalVoters":"3"})"},
      {"WatchTallies as server-sent events",
       "GET",
       "/v1/rounds/5/districts/12/tallies:watch?limit=5",
       "",
       {},
       M(kVoting, "WatchTallies"),
       "round_id: 5 district_id: 12 limit: 5",
       {"voter_count: 1 watermark: 10",
        "proposals { proposal_id: 77 support: 2 rank: 1 } voter_count: 2 watermark: 11"},
       grpc::StatusCode::OK,
       "",
       200,
       "retry: 3000\n\n"
       "id: 10\ndata: "
       "{\"proposals\":[],\"voterCount\":\"1\",\"watermark\":\"10\",\"votingClosed\":false}\n\n"
       "id: 11\ndata: "
       "{\"proposals\":[{\"proposalId\":\"77\",\"title\":\"\",\"support\":\"2\",\"estimatedCostBaht\":"
       "\"0\","
       "\"rank\":1}],\"voterCount\":\"2\",\"watermark\":\"11\",\"votingClosed\":false}\n\n",
       sse},
      {"ExportPabulib",
       "GET",
       "/v1/rounds/5/districts/12/pabulib",
       "",
       {},
       M(kVoting, "ExportPabulib"),
       "round_id: 5 district_id: 12",
       {R"(filename: "a.pb" content: "META\n")"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"filename":"a.pb","content":"META\n"})"},
      {"ImportPabulib",
       "POST",
       "/v1/admin/rounds:importPabulib",
       R"({"filename":"a.pb","content":"META","districtId":3})",
       {},
       M(kVoting, "ImportPabulib"),
       R"(filename: "a.pb" content: "META" district_id: 3)",
       {"proposal_count: 2 ballot_count: 3"},
       grpc::StatusCode::OK,
       "",
       200,
       R"({"proposalCount":2,"ballotCount":3,"notes":[]})"},

      // ---- refused by the gateway: no gRPC call at all ----
      {"path variable not an integer",
       "GET",
       "/v1/budget/years/abc/top-agencies",
       "",
       {},
       "",
       "",
       {},
       grpc::StatusCode::OK,
       "",
       400,
       R"({"error":{"code":"INVALID_ARGUMENT","http_status":400,"message":"path variable `fiscal_year`: \"abc\" is not an integer"}})"},
      {"query parameter not an integer",
       "GET",
       "/v1/budget/years/2566/top-agencies?limit=abc",
       "",
       {},
       "",
       "",
       {},
       grpc::StatusCode::OK,
       "",
       400,
       R"({"error":{"code":"INVALID_ARGUMENT","http_status":400,"message":"query parameter `limit`: \"abc\" is not an integer"}})"},
      {"int32 out of range",
       "GET",
       "/v1/budget/years/99999999999/top-agencies",
       "",
       {},
       "",
       "",
       {},
       grpc::StatusCode::OK,
       "",
       400,
       R"({"error":{"code":"INVALID_ARGUMENT","http_status":400,"message":"path variable `fiscal_year`: \"99999999999\" is out of range for int32"}})"},
      {"unknown nested query parameter",
       "GET",
       "/v1/budget/lines?filter.bogus=1",
       "",
       {},
       "",
       "",
       {},
       grpc::StatusCode::OK,
       "",
       400,
       R"j({"error":{"code":"INVALID_ARGUMENT","http_status":400,"message":"unknown query parameter `filter.bogus` (no field `bogus` in bkkbudget.budget.v1.LineFilter)"}})j"},
      {"unknown enum name",
       "GET",
       "/v1/budget/lines?sort=NOPE",
       "",
       {},
       "",
       "",
       {},
       grpc::StatusCode::OK,
       "",
       400,
       R"j({"error":{"code":"INVALID_ARGUMENT","http_status":400,"message":"query parameter `sort`: \"NOPE\" is not a LineSort (one of LINE_SORT_UNSPECIFIED, LINE_SORT_AMOUNT_DESC, LINE_SORT_AMOUNT_ASC, LINE_SORT_NAME)"}})j"},
      {"not a boolean",
       "GET",
       "/v1/rounds/5/districts/12/proposals?include_unmoderated=yes",
       "",
       {},
       "",
       "",
       {},
       grpc::StatusCode::OK,
       "",
       400,
       R"j({"error":{"code":"INVALID_ARGUMENT","http_status":400,"message":"query parameter `include_unmoderated`: \"yes\" is not a boolean (true or false)"}})j"},
      {"singular parameter twice",
       "GET",
       "/v1/budget/years/2566/top-agencies?limit=1&limit=2",
       "",
       {},
       "",
       "",
       {},
       grpc::StatusCode::OK,
       "",
       400,
       R"j({"error":{"code":"INVALID_ARGUMENT","http_status":400,"message":"query parameter `limit` is given more than once (or is also in the path)"}})j"},
      {"missing body",
       "POST",
       "/v1/rounds/5/voters",
       "",
       {},
       "",
       "",
       {},
       grpc::StatusCode::OK,
       "",
       400,
       R"j({"error":{"code":"INVALID_ARGUMENT","http_status":400,"message":"a JSON request body is required (RegisterVoterRequest)"}})j"},
      {"a body on a GET",
       "GET",
       "/v1/budget/overview",
       "{}",
       {},
       "",
       "",
       {},
       grpc::StatusCode::OK,
       "",
       400,
       R"({"error":{"code":"INVALID_ARGUMENT","http_status":400,"message":"GET /v1/budget/overview takes no request body"}})"},
      {"query parameters on a body:* route",
       "POST",
       "/v1/rounds/5/voters?citizen_id=1",
       R"({"citizenId":"1"})",
       {},
       "",
       "",
       {},
       grpc::StatusCode::OK,
       "",
       400,
       R"({"error":{"code":"INVALID_ARGUMENT","http_status":400,"message":"query parameter `citizen_id` is not accepted: POST /v1/rounds/{round_id}/voters takes its fields from the JSON body"}})"},
      {"wrong content type",
       "POST",
       "/v1/rounds/5/voters",
       "citizenId=1",
       {{"Content-Type", "application/x-www-form-urlencoded"}},
       "",
       "",
       {},
       grpc::StatusCode::OK,
       "",
       415,
       R"({"error":{"code":"UNSUPPORTED_MEDIA_TYPE","http_status":415,"message":"Content-Type \"application/x-www-form-urlencoded\" is not accepted; send application/json"}})"},
      {"unknown path",
       "GET",
       "/v1/nothing/here",
       "",
       {},
       "",
       "",
       {},
       grpc::StatusCode::OK,
       "",
       404,
       R"({"error":{"code":"NOT_FOUND","http_status":404,"message":"no API route matches \"/v1/nothing/here\""}})"},
      {"wrong method",
       "DELETE",
       "/v1/rounds/5",
       "",
       {},
       "",
       "",
       {},
       grpc::StatusCode::OK,
       "",
       405,
       R"({"error":{"code":"METHOD_NOT_ALLOWED","http_status":405,"message":"\"DELETE\" is not allowed on \"/v1/rounds/5\"; allowed: GET"}})"},
      {"verb of a POST route with GET",
       "GET",
       "/v1/admin/rounds/5:advance",
       "",
       {},
       "",
       "",
       {},
       grpc::StatusCode::OK,
       "",
       405,
       R"({"error":{"code":"METHOD_NOT_ALLOWED","http_status":405,"message":"\"GET\" is not allowed on \"/v1/admin/rounds/5:advance\"; allowed: POST"}})"},
      {"bad percent-encoding in the path",
       "GET",
       "/v1/receipts/%zz",
       "",
       {},
       "",
       "",
       {},
       grpc::StatusCode::OK,
       "",
       400,
       R"({"error":{"code":"INVALID_ARGUMENT","http_status":400,"message":"malformed percent-encoding in path segment \"%zz\""}})"},
      {"invalid UTF-8 in a query value",
       "GET",
       "/v1/keywords/search?query=%FF%FE",
       "",
       {},
       "",
       "",
       {},
       grpc::StatusCode::OK,
       "",
       400,
       R"({"error":{"code":"INVALID_ARGUMENT","http_status":400,"message":"query parameter `query`: the value is not valid UTF-8"}})"},

      // ---- backend statuses, with the request still checked ----
      {"NOT_FOUND from the backend",
       "GET",
       "/v1/budget/lines/1",
       "",
       {},
       M(kBudget, "GetLine"),
       "line_id: 1",
       {},
       grpc::StatusCode::NOT_FOUND,
       "line 1 not found",
       404,
       R"({"error":{"code":"NOT_FOUND","http_status":404,"message":"line 1 not found"}})"},
      {"ALREADY_EXISTS from the backend",
       "POST",
       "/v1/rounds/5/districts/12/ballots",
       R"({"voterToken":"tok"})",
       {},
       M(kVoting, "CastBallot"),
       R"(round_id: 5 district_id: 12 voter_token: "tok")",
       {},
       grpc::StatusCode::ALREADY_EXISTS,
       "this voter already voted in district 12",
       409,
       R"({"error":{"code":"ALREADY_EXISTS","http_status":409,"message":"this voter already voted in district 12"}})"},
      {"UNAUTHENTICATED passes through",
       "POST",
       "/v1/admin/rounds",
       R"({"round":{}})",
       {},
       M(kVoting, "CreateRound"),
       "round {}",
       {},
       grpc::StatusCode::UNAUTHENTICATED,
       "missing bearer token",
       401,
       R"({"error":{"code":"UNAUTHENTICATED","http_status":401,"message":"missing bearer token"}})"},
      {"error before the first CSV row is JSON",
       "GET",
       "/v1/export/lines.csv?fiscal_year=1999",
       "",
       {},
       M(kBudget, "StreamLines"),
       "filter { fiscal_year: 1999 }",
       {},
       grpc::StatusCode::NOT_FOUND,
       "fiscal_year 1999: no lines",
       404,
       R"({"error":{"code":"NOT_FOUND","http_status":404,"message":"fiscal_year 1999: no lines"}})"},
      {"error before the first event is JSON",
       "GET",
       "/v1/rounds/9/districts/1/tallies:watch",
       "",
       {},
       M(kVoting, "WatchTallies"),
       "round_id: 9 district_id: 1",
       {},
       grpc::StatusCode::NOT_FOUND,
       "round 9 not found",
       404,
       R"({"error":{"code":"NOT_FOUND","http_status":404,"message":"round 9 not found"}})"},
  };
}

std::vector<Case> Cases() {
  std::vector<Case> cases = ServiceCases();
  for (auto& c : AfterTheVoteCases()) cases.push_back(std::move(c));
  return cases;
}

class TranscodingTableTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { harness_ = new Harness(); }
  static void TearDownTestSuite() {
    delete harness_;
    harness_ = nullptr;
  }
  static Harness* harness_;
};
Harness* TranscodingTableTest::harness_ = nullptr;

void RunCase(Harness& h, const Case& c, std::set<const Route*>* covered) {
  SCOPED_TRACE(c.name + ": " + c.http_method + " " + c.target);
  h.budget().Reset();
  h.keywords().Reset();
  h.voting().Reset();
  if (!c.grpc_method.empty()) {
    FakeBackend& fake = h.FakeFor(c.grpc_method);
    if (c.grpc_code == grpc::StatusCode::OK) {
      fake.SetResponses(c.grpc_method, c.grpc_responses);
    } else {
      fake.SetStatus(c.grpc_method, c.grpc_code, c.grpc_message);
    }
  }
  // Every case sends the same client trace; error bodies name it.
  auto headers = c.headers;
  headers.push_back({"traceparent", kClientTrace});
  HttpResult r = Http(h.port(), c.http_method, c.target, c.body, headers);
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.status, c.http_status);
  if (c.content_type.rfind("text/event-stream", 0) == 0 && r.status == 200) {
    // A live view may skip an event a newer one replaced before the client
    // took it: what arrives is the expected events in order, ending with
    // the last one.
    auto events = [](const std::string& body) {
      std::vector<std::string> out;
      for (size_t start = 0, end; (end = body.find("\n\n", start)) != std::string::npos; start = end + 2) {
        out.push_back(body.substr(start, end + 2 - start));
      }
      return out;
    };
    const auto want = events(c.http_body), got = events(r.body);
    ASSERT_FALSE(got.empty()) << r.body;
    EXPECT_EQ(got.back(), want.back()) << r.body;
    size_t w = 0;
    for (const auto& e : got) {
      while (w < want.size() && want[w] != e) ++w;
      EXPECT_LT(w, want.size()) << "unexpected or out-of-order event: " << e;
    }
  } else if (c.http_status >= 400) {
    ASSERT_GE(c.http_body.size(), 2u);
    const std::string traced =
        c.http_body.substr(0, c.http_body.size() - 2) + ",\"trace_id\":\"" + kClientTraceId + "\"}}";
    EXPECT_EQ(r.body, traced);
  } else {
    EXPECT_EQ(r.body, c.http_body);
  }
  EXPECT_EQ(r.Header("content-type"), c.http_status >= 400 ? "application/json; charset=utf-8" : c.content_type);
  if (c.grpc_method.empty()) {
    EXPECT_EQ(h.budget().TotalCalls() + h.keywords().TotalCalls() + h.voting().TotalCalls(), 0)
        << "a refused request reached a backend";
    return;
  }
  FakeBackend& fake = h.FakeFor(c.grpc_method);
  EXPECT_EQ(fake.Calls(c.grpc_method), 1);
  auto actual = fake.LastRequest(c.grpc_method);
  ASSERT_NE(actual, nullptr) << c.grpc_method << " was not called";
  std::unique_ptr<google::protobuf::Message> expected(actual->New());
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(c.grpc_request, expected.get())) << c.grpc_request;
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*expected, *actual))
      << "expected gRPC request: " << expected->ShortDebugString() << "\nactual: " << actual->ShortDebugString();
  if (r.status == 200) {
    std::string path = c.target.substr(0, c.target.find('?'));
    auto match = h.gateway().routes().Match(c.http_method, path);
    if (match.route != nullptr) covered->insert(match.route);
  }
}

TEST_F(TranscodingTableTest, EveryCaseAndEveryRouteHasACase) {
  std::set<const Route*> covered;
  for (const Case& c : Cases()) RunCase(*harness_, c, &covered);
  for (const auto& route : harness_->gateway().routes().routes()) {
    EXPECT_TRUE(covered.count(route.get()))
        << "no successful table case for " << route->http_method << " " << route->path.text() << " ("
        << route->method->full_name() << "): add one to Cases()";
  }
}

// The mapping, written out again independently of status_map.cc.
TEST_F(TranscodingTableTest, EveryGrpcStatusCodeMapsAsDocumented) {
  const std::vector<std::pair<grpc::StatusCode, int>> expected = {
      {grpc::StatusCode::CANCELLED, 499},
      {grpc::StatusCode::UNKNOWN, 500},
      {grpc::StatusCode::INVALID_ARGUMENT, 400},
      {grpc::StatusCode::DEADLINE_EXCEEDED, 504},
      {grpc::StatusCode::NOT_FOUND, 404},
      {grpc::StatusCode::ALREADY_EXISTS, 409},
      {grpc::StatusCode::PERMISSION_DENIED, 403},
      {grpc::StatusCode::RESOURCE_EXHAUSTED, 429},
      {grpc::StatusCode::FAILED_PRECONDITION, 400},
      {grpc::StatusCode::ABORTED, 409},
      {grpc::StatusCode::OUT_OF_RANGE, 400},
      {grpc::StatusCode::UNIMPLEMENTED, 501},
      {grpc::StatusCode::INTERNAL, 500},
      {grpc::StatusCode::UNAVAILABLE, 503},
      {grpc::StatusCode::DATA_LOSS, 500},
      {grpc::StatusCode::UNAUTHENTICATED, 401},
  };
  const std::string method = M(kBudget, "GetLine");
  for (const auto& [code, http] : expected) {
    const std::string name(GrpcCodeName(code));
    SCOPED_TRACE(name);
    harness_->budget().Reset();
    harness_->budget().SetStatus(method, code, "because " + name);
    // The error body names the client's trace (W3C traceparent).
    HttpResult r = harness_->Get("/v1/budget/lines/42", {{"traceparent", kClientTrace}});
    EXPECT_EQ(r.status, http);
    EXPECT_EQ(r.body, "{\"error\":{\"code\":\"" + name + "\",\"http_status\":" + std::to_string(http) +
                          ",\"message\":\"because " + name + "\",\"trace_id\":\"" + kClientTraceId + "\"}}");
    EXPECT_EQ(HttpStatusForGrpcCode(code), http);
  }
  EXPECT_EQ(HttpStatusForGrpcCode(grpc::StatusCode::OK), 200);
}

TEST_F(TranscodingTableTest, AuthorizationAndClientAddressReachTheBackend) {
  harness_->voting().Reset();
  HttpResult r = harness_->Post("/v1/admin/rounds", R"({"round":{}})",
                                {{"Authorization", "Bearer operator-secret"}, {"X-Request-Id", "req-1"}});
  EXPECT_EQ(r.status, 200);
  const std::string method = M(kVoting, "CreateRound");
  EXPECT_EQ(harness_->voting().LastMetadata(method, "authorization"), "Bearer operator-secret");
  EXPECT_EQ(harness_->voting().LastMetadata(method, "x-client-address"), "127.0.0.1");
  EXPECT_EQ(harness_->voting().LastMetadata(method, "x-request-id"), "req-1");
  // Without the header nothing is invented: the service decides who is an operator.
  harness_->Post("/v1/admin/rounds", R"({"round":{}})");
  EXPECT_EQ(harness_->voting().LastMetadata(method, "authorization"), "");
}

// W3C Trace Context: the client's trace goes on with the gateway's own span;
// without one (or with a malformed one) the gateway starts a trace.
TEST_F(TranscodingTableTest, TheTraceReachesTheBackend) {
  harness_->voting().Reset();
  const std::string method = M(kVoting, "ListRounds");
  EXPECT_EQ(harness_->Get("/v1/rounds", {{"traceparent", kClientTrace}}).status, 200);
  auto sent = ParseTraceParent(harness_->voting().LastMetadata(method, "traceparent"));
  ASSERT_TRUE(sent.has_value());
  EXPECT_EQ(sent->trace_id, kClientTraceId);
  EXPECT_NE(sent->span_id, "00f067aa0ba902b7") << "the gateway's hop is a span of its own";
  EXPECT_TRUE(sent->sampled);
  for (const char* header : {"", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                             "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "garbage"}) {
    SCOPED_TRACE(header);
    std::vector<std::pair<std::string, std::string>> headers;
    if (*header != '\0') headers.push_back({"traceparent", header});
    EXPECT_EQ(harness_->Get("/v1/rounds", headers).status, 200);
    auto started = ParseTraceParent(harness_->voting().LastMetadata(method, "traceparent"));
    ASSERT_TRUE(started.has_value()) << "a new trace is started";
    EXPECT_NE(started->trace_id, kClientTraceId);
  }
  // Errors the gateway answers itself name the trace too.
  HttpResult r = harness_->Get("/v1/no-such-route", {{"traceparent", kClientTrace}});
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find(std::string("\"trace_id\":\"") + kClientTraceId + "\""), std::string::npos) << r.body;
}

// The console's session: a cookie the page's scripts never see, sent only
// to operators' routes, and a change needs the anti-CSRF header as well.
TEST_F(TranscodingTableTest, TheConsoleSessionIsAnHttpOnlyCookieForAdminRoutesOnly) {
  const std::string sign_in = M(kVoting, "SignIn");
  harness_->voting().Reset();
  harness_->voting().SetResponses(
      sign_in, {R"(operator { name: "anong" } session_token: "s3cret" csrf_token: "c1" expires_at: 4102444800)"});
  HttpResult r = harness_->Post("/v1/admin/session:signIn", R"({"operatorKey":"bkkop_x"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.find("s3cret"), std::string::npos) << "the token stays out of the body: " << r.body;
  const std::string cookie(r.Header("set-cookie"));
  EXPECT_EQ(cookie.rfind("bkk_session=s3cret; Path=/v1/admin; Max-Age=", 0), 0u) << cookie;
  for (const char* attribute : {"; HttpOnly", "; SameSite=Strict"}) {
    EXPECT_NE(cookie.find(attribute), std::string::npos) << cookie;
  }
  EXPECT_EQ(cookie.find("Secure"), std::string::npos) << "plain http here: " << cookie;

  // An admin read with the cookie: the session reaches voting as metadata.
  const std::string audit = M(kVoting, "ListAuditEvents");
  harness_->voting().Reset();
  r = harness_->Get("/v1/admin/audit", {{"Cookie", "theme=dark; bkk_session=s3cret"}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(harness_->voting().LastMetadata(audit, "x-operator-session"), "s3cret");
  EXPECT_EQ(r.Header("cache-control"), "no-store");
  // A change with the cookie but without the header is refused here.
  const std::string advance = M(kVoting, "AdvanceRoundPhase");
  harness_->voting().Reset();
  r = harness_->Post("/v1/admin/rounds/5:advance", R"({"toPhase":"PHASE_VOTING"})", {{"Cookie", "bkk_session=s3cret"}});
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("X-CSRF-Token"), std::string::npos) << r.body;
  EXPECT_EQ(harness_->voting().TotalCalls(), 0);
  // With it, both reach voting, which checks the pair.
  r = harness_->Post("/v1/admin/rounds/5:advance", R"({"toPhase":"PHASE_VOTING"})",
                     {{"Cookie", "bkk_session=s3cret"}, {"X-CSRF-Token", "c1"}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(harness_->voting().LastMetadata(advance, "x-operator-session"), "s3cret");
  EXPECT_EQ(harness_->voting().LastMetadata(advance, "x-csrf-token"), "c1");
  // Public routes never receive the session, even if the browser sends it.
  const std::string get_proposal = M(kVoting, "GetProposal");
  harness_->voting().Reset();
  harness_->Get("/v1/proposals/77", {{"Cookie", "bkk_session=s3cret"}, {"X-CSRF-Token", "c1"}});
  EXPECT_EQ(harness_->voting().Calls(get_proposal), 1);
  EXPECT_EQ(harness_->voting().LastMetadata(get_proposal, "x-operator-session"), "");
  EXPECT_EQ(harness_->voting().LastMetadata(get_proposal, "x-csrf-token"), "");
  // Signing out clears the cookie.
  harness_->voting().Reset();
  r = harness_->Post("/v1/admin/session:signOut", "{}", {{"Cookie", "bkk_session=s3cret"}, {"X-CSRF-Token", "c1"}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(std::string(r.Header("set-cookie")).rfind("bkk_session=; Path=/v1/admin; Max-Age=0", 0), 0u)
      << r.Header("set-cookie");
}

TEST_F(TranscodingTableTest, UnknownJsonFieldIsNamed) {
  harness_->voting().Reset();
  HttpResult r = harness_->Post("/v1/rounds/5/voters", R"({"citizenId":"1","bogusField":2})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(CheckErrorJson(r.body, 400), "");
  EXPECT_NE(r.body.find("bogusField"), std::string::npos) << r.body;
  EXPECT_EQ(harness_->voting().TotalCalls(), 0);
  r = harness_->Post("/v1/rounds/5/voters", R"({"citizenId": 12,)");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(CheckErrorJson(r.body, 400), "");
  r = harness_->Post("/v1/rounds/5/districts/1/ballots", R"({"choices":[{"proposalId":"x"}]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("choices[0].proposal_id"), std::string::npos) << r.body;
  EXPECT_EQ(harness_->voting().TotalCalls(), 0);
}

}  // namespace
}  // namespace bkk::gateway::testing
