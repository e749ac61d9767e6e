// budget-data end to end: the real binary, a real PostgreSQL database, the
// real FY2566 ordinance, read back through the service's gRPC API.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <pqxx/pqxx>

#include "bkkbudget/budget/v1/budget.grpc.pb.h"
#include "common/csv.h"
#include "tests/support/test_support.h"

namespace bkk::testing {
namespace {
namespace pb = bkkbudget::budget::v1;
namespace fs = std::filesystem;

constexpr int64_t kGrandTotal = 79'719'012'050;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::string Binary() { return BinaryPath("services/budget_data/budget-data"); }

// Every row of every budget table, hashed: equal fingerprints = nothing changed.
std::string Fingerprint(const std::string& url) {
  pqxx::connection c(url);
  pqxx::read_transaction tx(c);
  std::string out;
  for (const char* table :
       {"releases", "release_files", "strategies", "sub_dimensions", "sub_dimension_goals", "districts", "fiscal_years",
        "plan_aggregates", "lines", "district_totals", "stated_totals"}) {
    auto r = tx.exec(std::string("SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') "
                                 "FROM budget.") +
                     table + " t");
    out += std::string(table) + "=" + r[0][0].as<std::string>() + ":" + r[0][1].as<std::string>() + ";";
  }
  return out;
}

class BudgetDataIntegrationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase("bkk_budget_it");
    ChildProcess import(Binary(), {"import", BKK_DATA_DIR}, {{"BKK_PG_URL", db_->url()}});
    ASSERT_EQ(import.Wait(std::chrono::seconds(120)), 0) << import.Output();
    ASSERT_NE(import.Output().find("is now current"), std::string::npos) << import.Output();
    port_ = FreePort();
    server_ = new ChildProcess(Binary(), {"serve"},
                               {{"BKK_PG_URL", db_->url()},
                                {"BKK_LISTEN", "127.0.0.1:" + std::to_string(port_)},
                                {"BKK_ADMIN_TOKEN", "it-admin"}});
    ASSERT_TRUE(WaitServing(Address(), std::chrono::seconds(30))) << server_->Output();
  }
  static void TearDownTestSuite() {
    delete server_;
    delete db_;
  }
  static std::string Address() { return "127.0.0.1:" + std::to_string(port_); }
  void SetUp() override {
    channel_ = grpc::CreateChannel(Address(), grpc::InsecureChannelCredentials());
    stub_ = pb::BudgetService::NewStub(channel_);
  }
  std::unique_ptr<grpc::ClientContext> Ctx() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return ctx;
  }
  static std::map<std::string, int64_t> Stated() {
    std::map<std::string, int64_t> out;
    auto rows = ParseCsv(ReadFile(fs::path(BKK_DATA_DIR) / "budget/bma-ordinance-2566-stated-totals.csv"));
    for (size_t i = 1; i < rows->size(); ++i) out[(*rows)[i].fields[0]] = std::stoll((*rows)[i].fields[1]);
    return out;
  }

  static TestDatabase* db_;
  static ChildProcess* server_;
  static int port_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<pb::BudgetService::Stub> stub_;
};

TestDatabase* BudgetDataIntegrationTest::db_ = nullptr;
ChildProcess* BudgetDataIntegrationTest::server_ = nullptr;
int BudgetDataIntegrationTest::port_ = 0;

TEST_F(BudgetDataIntegrationTest, HealthAndReflectionAnswer) {
  EXPECT_EQ(HealthStatus(channel_, "bkkbudget.budget.v1.BudgetService"), 1);
  EXPECT_EQ(HealthStatus(channel_, "no.such.Service"), -1) << "unknown services are NOT_FOUND";
  auto services = ReflectionServices(channel_);
  EXPECT_NE(std::find(services.begin(), services.end(), "bkkbudget.budget.v1.BudgetService"), services.end());
  EXPECT_NE(std::find(services.begin(), services.end(), "grpc.health.v1.Health"), services.end());
}

TEST_F(BudgetDataIntegrationTest, AgencyPlanAndGrandTotalsEqualTheOrdinance) {
  auto stated = Stated();
  pb::GetBreakdownRequest req;
  req.set_fiscal_year(2566);
  req.set_dimension(pb::BREAKDOWN_DIMENSION_AGENCY);
  pb::GetBreakdownResponse resp;
  ASSERT_TRUE(stub_->GetBreakdown(Ctx().get(), req, &resp).ok());
  EXPECT_EQ(resp.total_baht(), stated.at("ข้อ 3 ordinance grand total"));
  EXPECT_EQ(resp.total_baht(), kGrandTotal);
  int agencies = 0;
  for (const auto& item : resp.items()) {
    if (item.key() == "(71)") continue;
    ++agencies;
    EXPECT_EQ(item.amount_baht(), stated.at("agency " + item.key())) << item.key();
  }
  EXPECT_EQ(agencies, 74);

  int plans = 0;
  for (const auto& [check, amount] : stated) {
    if (check.rfind("plan ", 0) != 0) continue;
    std::string rest = check.substr(5);
    pb::GetBreakdownRequest by_plan;
    by_plan.set_fiscal_year(2566);
    by_plan.set_dimension(pb::BREAKDOWN_DIMENSION_MISSION_TYPE);
    by_plan.mutable_filter()->set_agency(rest.substr(0, rest.find(" | ")));
    pb::GetBreakdownResponse plan_resp;
    ASSERT_TRUE(stub_->GetBreakdown(Ctx().get(), by_plan, &plan_resp).ok());
    int64_t found = -1;
    for (const auto& item : plan_resp.items()) {
      if (item.key() == rest.substr(rest.find(" | ") + 3)) found = item.amount_baht();
    }
    EXPECT_EQ(found, amount) << check;
    ++plans;
  }
  EXPECT_EQ(plans, 144);

  pb::ListLinesRequest lines;
  lines.mutable_filter()->set_fiscal_year(2566);
  pb::ListLinesResponse lines_resp;
  ASSERT_TRUE(stub_->ListLines(Ctx().get(), lines, &lines_resp).ok());
  EXPECT_EQ(lines_resp.total_count(), 1766);
  EXPECT_EQ(lines_resp.total_amount_baht(), kGrandTotal);
}

TEST_F(BudgetDataIntegrationTest, StrategiesComeBackVerbatim) {
  google::protobuf::Value source;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  ReadFile(fs::path(BKK_DATA_DIR) / "plan/strategies-7-2561-2580.json"), &source)
                  .ok());
  pb::ListFrameworksResponse resp;
  ASSERT_TRUE(stub_->ListFrameworks(Ctx().get(), {}, &resp).ok());
  const auto& served = resp.frameworks(0);
  ASSERT_EQ(served.kind(), pb::FRAMEWORK_KIND_STRATEGIES_7);
  const auto& list = source.list_value().values();
  ASSERT_EQ(served.strategies_size(), 7);
  int subs = 0;
  for (int i = 0; i < 7; ++i) {
    const auto& f = list[i].struct_value().fields();
    EXPECT_EQ(served.strategies(i).name(), f.at("strategy").string_value());
    EXPECT_EQ(served.strategies(i).side(), f.at("side").string_value());
    const auto& sub_list = f.at("strategies").list_value().values();
    ASSERT_EQ(served.strategies(i).sub_dimensions_size(), sub_list.size());
    for (int j = 0; j < sub_list.size(); ++j) {
      const auto& sf = sub_list[j].struct_value().fields();
      const auto& d = served.strategies(i).sub_dimensions(j);
      EXPECT_EQ(d.name(), sf.at("sub_strategy").string_value());
      EXPECT_EQ(d.description(), sf.at("side_details").string_value());
      const auto& goals = sf.at("sub_srategy_def").list_value().values();
      ASSERT_EQ(d.goals_size(), goals.size());
      for (int k = 0; k < goals.size(); ++k) EXPECT_EQ(d.goals(k), goals[k].string_value());
      ++subs;
    }
  }
  EXPECT_EQ(subs, 29);
}

TEST_F(BudgetDataIntegrationTest, ReimportChangesNothing) {
  std::string before = Fingerprint(db_->url());
  ChildProcess again(Binary(), {"import", BKK_DATA_DIR}, {{"BKK_PG_URL", db_->url()}});
  ASSERT_EQ(again.Wait(std::chrono::seconds(120)), 0) << again.Output();
  EXPECT_NE(again.Output().find("was already current"), std::string::npos) << again.Output();
  EXPECT_EQ(Fingerprint(db_->url()), before);
}

TEST_F(BudgetDataIntegrationTest, ChangedAmountIsRefusedAndTheDatabaseIsUnchanged) {
  std::string before = Fingerprint(db_->url());
  fs::path dir = fs::temp_directory_path() / ("bkk-bad-data-" + std::to_string(FreePort()));
  fs::copy(BKK_DATA_DIR, dir, fs::copy_options::recursive);
  fs::path items = dir / "budget/bma-ordinance-2566-items.csv";
  std::string text = ReadFile(items);
  auto at = text.find(",3005300000,6\n");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 14, ",3005300100,6\n");
  std::ofstream(items, std::ios::binary | std::ios::trunc) << text;
  // Not recorded in release.json: refused as another file than the release's.
  ChildProcess unrecorded(Binary(), {"import", dir.string()}, {{"BKK_PG_URL", db_->url()}});
  EXPECT_NE(unrecorded.Wait(std::chrono::seconds(120)), 0);
  EXPECT_NE(unrecorded.Output().find("bma-ordinance-2566-items.csv: sha256 is "), std::string::npos)
      << unrecorded.Output();
  // Recorded (an operator's `budget-data manifest DIR`): refused by the sums.
  ChildProcess manifest(Binary(), {"manifest", dir.string()}, {});
  ASSERT_EQ(manifest.Wait(std::chrono::seconds(60)), 0) << manifest.Output();
  ChildProcess bad(Binary(), {"import", dir.string()}, {{"BKK_PG_URL", db_->url()}});
  int rc = bad.Wait(std::chrono::seconds(120));
  EXPECT_NE(rc, 0);
  EXPECT_NE(bad.Output().find("ข้อ 3 ordinance grand total"), std::string::npos) << bad.Output();
  EXPECT_NE(bad.Output().find("difference 100"), std::string::npos) << bad.Output();
  EXPECT_EQ(Fingerprint(db_->url()), before);

  // The FY2565 year of the same release: one district book line 1 baht more
  // refuses the whole release, FY2566 included.
  std::ofstream(items, std::ios::binary | std::ios::trunc)
      << ReadFile(fs::path(BKK_DATA_DIR) / "budget/bma-ordinance-2566-items.csv");
  fs::path books = dir / "budget/bma-budget-book-2565-district-lines.csv";
  text = ReadFile(books);
  at = text.find(",5716350,65026.pdf,23\n");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 9, ",5716351,");
  std::ofstream(books, std::ios::binary | std::ios::trunc) << text;
  ChildProcess manifest_2565(Binary(), {"manifest", dir.string()}, {});
  ASSERT_EQ(manifest_2565.Wait(std::chrono::seconds(60)), 0) << manifest_2565.Output();
  ChildProcess bad_2565(Binary(), {"import", dir.string()}, {{"BKK_PG_URL", db_->url()}});
  EXPECT_NE(bad_2565.Wait(std::chrono::seconds(120)), 0);
  fs::remove_all(dir);
  EXPECT_NE(bad_2565.Output().find("\"agency สำนักงานเขตพระนคร\": FY2565 states 378231950 baht"), std::string::npos)
      << bad_2565.Output();
  EXPECT_NE(bad_2565.Output().find("difference 1)"), std::string::npos) << bad_2565.Output();
  EXPECT_EQ(bad_2565.Output().find("ข้อ 3 ordinance grand total"), std::string::npos) << "FY2566 is as stated";
  EXPECT_EQ(Fingerprint(db_->url()), before);
}

TEST(BudgetDataStartupTest, RefusesToStartWithoutItsSettings) {
  ChildProcess bare(Binary(), {"serve"}, {});
  EXPECT_EQ(bare.Wait(std::chrono::seconds(20)), 2);
  EXPECT_NE(bare.Output().find("BKK_PG_URL is required"), std::string::npos) << bare.Output();
}

TEST(BudgetDataStartupTest, SigtermDrainsAndExitsCleanly) {
  TestDatabase db("bkk_budget_term");
  int port = FreePort();
  ChildProcess server(Binary(), {"serve"},
                      {{"BKK_PG_URL", db.url()},
                       {"BKK_LISTEN", "127.0.0.1:" + std::to_string(port)},
                       {"BKK_ADMIN_TOKEN", "x"},
                       {"BKK_DRAIN_SECONDS", "2"}});
  ASSERT_TRUE(WaitServing("127.0.0.1:" + std::to_string(port), std::chrono::seconds(30))) << server.Output();
  // Before any import the API says what to do instead of failing obscurely.
  auto stub = pb::BudgetService::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  pb::GetOverviewResponse resp;
  auto s = stub->GetOverview(&ctx, {}, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(s.error_message().find("import"), std::string::npos);
  server.Signal(SIGTERM);
  EXPECT_EQ(server.Wait(std::chrono::seconds(15)), 0) << server.Output();
}

}  // namespace
}  // namespace bkk::testing
