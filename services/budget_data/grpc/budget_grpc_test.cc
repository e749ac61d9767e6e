// The budget-data gRPC adapter through an in-process server on loopback,
// with the core on an in-memory repository and the real FY2566 data.
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <gtest/gtest.h>

#include "common/grpc_server.h"
#include "common/operators/in_memory_operator_store.h"
#include "services/budget_data/core/in_memory_repository.h"
#include "services/budget_data/grpc/budget_grpc_service.h"

namespace bkk::budget {
namespace {
namespace pb = bkkbudget::budget::v1;

class BudgetGrpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto files = ReadDatasetDir(BKK_DATA_DIR);
    ASSERT_TRUE(files.ok());
    files_ = *files;
    ASSERT_TRUE(core_.Import(files_, false, operators::OperatorAuth::CommandLine()).ok());
    auto server = GrpcServer::Start({}, {&service_}, {"bkkbudget.budget.v1.BudgetService"});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()), grpc::InsecureChannelCredentials());
    stub_ = pb::BudgetService::NewStub(channel_);
  }
  void TearDown() override { server_->Shutdown(); }

  std::unique_ptr<grpc::ClientContext> Ctx() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return ctx;
  }

  DatasetFiles files_;
  InMemoryBudgetRepository repo_;
  BudgetCore core_{&repo_};
  operators::InMemoryOperatorStore operators_;
  operators::OperatorAuth auth_{&operators_, ""};
  BudgetGrpcService service_{&core_, &auth_};
  std::unique_ptr<GrpcServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<pb::BudgetService::Stub> stub_;
};

TEST_F(BudgetGrpcTest, TopAgenciesOverviewAndRelease) {
  pb::ListTopAgenciesRequest req;
  req.set_fiscal_year(2566);
  pb::ListTopAgenciesResponse resp;
  ASSERT_TRUE(stub_->ListTopAgencies(Ctx().get(), req, &resp).ok());
  EXPECT_EQ(resp.agency_count(), 73);
  EXPECT_EQ(resp.agencies_size(), 5);
  EXPECT_EQ(resp.year_total_baht(), 79'719'012'050);
  EXPECT_EQ(resp.central_fund().amount_baht(), 14'162'196'831);
  EXPECT_EQ(resp.central_fund().unit_kind(), "central_fund");
  EXPECT_FALSE(resp.note_th().empty());

  pb::GetOverviewResponse overview;
  ASSERT_TRUE(stub_->GetOverview(Ctx().get(), {}, &overview).ok());
  EXPECT_EQ(overview.years_size(), 9);
  EXPECT_EQ(overview.years(5).total_budget_baht(), 79'719'012'050);
  ASSERT_EQ(overview.years(5).total_parts_size(), 2);
  EXPECT_EQ(overview.years(5).total_parts(1).clause(), "ข้อ 5");
  EXPECT_EQ(overview.years(5).total_basis(), "ordinance");
  EXPECT_EQ(overview.years(4).total_basis(), "published_figure");
  EXPECT_EQ(overview.release_version(), core_.snapshot()->version());

  pb::GetReleaseResponse release;
  ASSERT_TRUE(stub_->GetRelease(Ctx().get(), {}, &release).ok());
  EXPECT_EQ(release.release().files_size(), 12);  // release.json and the 11 files it lists
  ASSERT_EQ(release.release().years_size(), 2);
  EXPECT_EQ(release.release().years(0).fiscal_year(), 2565);
  EXPECT_EQ(release.release().years(0).scope(), "district_books");
  EXPECT_EQ(release.release().years(0).line_count(), 3022);
  EXPECT_EQ(release.release().years(0).total_baht(), 16'343'551'501);
  EXPECT_EQ(release.release().years(1).total_baht(), 79'719'012'050);
  EXPECT_EQ(release.release().years(1).document(), "ข้อบัญญัติงบประมาณรายจ่ายประจำปี พ.ศ. 2566");
  EXPECT_EQ(release.release().files(0).sha256().size(), 64u);
}

TEST_F(BudgetGrpcTest, BadRequestsNameTheField) {
  pb::ListTopAgenciesRequest req;
  req.set_fiscal_year(2400);
  pb::ListTopAgenciesResponse resp;
  auto s = stub_->ListTopAgencies(Ctx().get(), req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(s.error_message().find("fiscal_year"), std::string::npos);
  req.set_fiscal_year(2566);
  req.set_limit(-3);
  s = stub_->ListTopAgencies(Ctx().get(), req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("limit"), std::string::npos);

  pb::ListLinesRequest lines;
  lines.set_page_size(100000);
  pb::ListLinesResponse lines_resp;
  s = stub_->ListLines(Ctx().get(), lines, &lines_resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("page_size"), std::string::npos);
  lines.set_page_size(10);
  lines.set_page_token("%%%");
  s = stub_->ListLines(Ctx().get(), lines, &lines_resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("page_token"), std::string::npos);

  pb::GetBreakdownRequest breakdown;
  breakdown.set_fiscal_year(2566);
  pb::GetBreakdownResponse breakdown_resp;
  s = stub_->GetBreakdown(Ctx().get(), breakdown, &breakdown_resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("dimension"), std::string::npos);

  pb::GetLineRequest line;
  line.set_line_id(1);
  pb::GetLineResponse line_resp;
  EXPECT_EQ(stub_->GetLine(Ctx().get(), line, &line_resp).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(BudgetGrpcTest, StreamLinesDeliversEveryLineOnce) {
  pb::StreamLinesRequest req;
  auto ctx = Ctx();
  auto reader = stub_->StreamLines(ctx.get(), req);
  pb::StreamLinesResponse chunk;
  int64_t total = 0;
  int count = 0;
  while (reader->Read(&chunk)) {
    for (const auto& l : chunk.lines()) {
      total += l.amount_baht();
      ++count;
    }
  }
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_EQ(count, 1766 + 3022);  // FY2566 and FY2565
  EXPECT_EQ(total, 79'719'012'050 + 16'343'551'501);
}

TEST_F(BudgetGrpcTest, ImportNeedsADataAdmin) {
  auto data_admin = auth_.AddOperator("somchai", {operators::Role::kDataAdmin}, operators::OperatorAuth::CommandLine());
  auto moderator = auth_.AddOperator("malee", {operators::Role::kModerator}, operators::OperatorAuth::CommandLine());
  ASSERT_TRUE(data_admin.ok() && moderator.ok());
  pb::ImportDatasetRequest req;
  for (const auto& [path, content] : files_) {
    auto* f = req.add_files();
    f->set_path(path);
    f->set_content(content);
  }
  pb::ImportDatasetResponse resp;
  EXPECT_EQ(stub_->ImportDataset(Ctx().get(), req, &resp).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  auto wrong = Ctx();
  wrong->AddMetadata("authorization", "Bearer nope");
  EXPECT_EQ(stub_->ImportDataset(wrong.get(), req, &resp).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  auto not_allowed = Ctx();
  not_allowed->AddMetadata("authorization", "Bearer " + moderator->second);
  auto refused = stub_->ImportDataset(not_allowed.get(), req, &resp);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(refused.error_message().find("data-admin"), std::string::npos) << refused.error_message();
  auto right = Ctx();
  right->AddMetadata("authorization", "Bearer " + data_admin->second);
  auto s = stub_->ImportDataset(right.get(), req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_FALSE(resp.changed());
  EXPECT_EQ(resp.checks_passed(), 231 + 1151);
  EXPECT_EQ(repo_.writes(), 1);
  // The import is in the audit log under the operator's name.
  ASSERT_FALSE(repo_.audit_events().empty());
  EXPECT_EQ(repo_.audit_events().back().operator_name, "somchai");
  EXPECT_EQ(repo_.audit_events().back().action, "ImportDataset");
}

}  // namespace
}  // namespace bkk::budget
