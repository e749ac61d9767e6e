// The rules every project update passes (projects.h): what needs a reason,
// what is refused, and the budget units read from the ordinance CSV.
#include "services/voting/core/projects.h"

#include <gtest/gtest.h>

namespace bkk::voting {
namespace {

ProjectChange Say(std::string text) {
  ProjectChange c;
  c.text = std::move(text);
  return c;
}

TEST(ProjectChangeTest, MovesForwardWithoutAReason) {
  ProjectRecord p = ProjectFromFunded(1, 3, 10, "สวน", 900000);
  ProjectChange c = Say("ประกาศจัดซื้อจัดจ้างแล้ว");
  c.status = ProjectStatus::kProcurement;
  c.committed_baht = 850000;
  c.progress_percent = 10;
  ASSERT_TRUE(ApplyProjectChange(c, {}, p).ok());
  EXPECT_EQ(p.status, ProjectStatus::kProcurement);
  EXPECT_EQ(p.committed_baht, 850000);
  EXPECT_EQ(p.progress_percent, 10);
  ProjectChange done = Say("ส่งมอบงานแล้ว");
  done.status = ProjectStatus::kCompleted;
  ASSERT_TRUE(ApplyProjectChange(done, {}, p).ok());
  EXPECT_EQ(p.progress_percent, 100) << "completing sets progress to 100";
}

TEST(ProjectChangeTest, GoingBackNeedsAReasonAndChangesNothingWithout) {
  ProjectRecord p = ProjectFromFunded(1, 3, 10, "สวน", 900000);
  p.status = ProjectStatus::kInProgress;
  p.progress_percent = 40;
  p.committed_baht = 800000;
  p.spent_baht = 300000;
  const ProjectRecord before = p;
  struct Case {
    const char* name;
    std::function<void(ProjectChange&)> edit;
  };
  const Case cases[] = {
      {"status back", [](ProjectChange& c) { c.status = ProjectStatus::kPlanned; }},
      {"progress down", [](ProjectChange& c) { c.progress_percent = 30; }},
      {"committed down", [](ProjectChange& c) { c.committed_baht = 700000; }},
      {"spent down", [](ProjectChange& c) { c.spent_baht = 200000; }},
      {"cancel", [](ProjectChange& c) { c.status = ProjectStatus::kCancelled; }},
  };
  for (const auto& k : cases) {
    ProjectChange c = Say("แก้ไข");
    k.edit(c);
    ProjectRecord q = p;
    absl::Status s = ApplyProjectChange(c, {}, q);
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << k.name;
    EXPECT_NE(s.message().find("reason"), absl::string_view::npos) << k.name << ": " << s.message();
    EXPECT_EQ(q.progress_percent, before.progress_percent) << k.name;
    EXPECT_EQ(q.status, before.status) << k.name;
    c.reason = "ตรวจรับงานแล้วพบว่าต้องแก้ไข";
    EXPECT_TRUE(ApplyProjectChange(c, {}, q).ok()) << k.name;
  }
  ProjectChange cancel = Say("ยกเลิก");
  cancel.status = ProjectStatus::kCancelled;
  cancel.reason = "ที่ดินไม่พร้อม";
  ASSERT_TRUE(ApplyProjectChange(cancel, {}, p).ok());
  EXPECT_EQ(p.status_reason, "ที่ดินไม่พร้อม");
  ProjectChange reopen = Say("เริ่มใหม่");
  reopen.status = ProjectStatus::kInProgress;
  EXPECT_EQ(ApplyProjectChange(reopen, {}, p).code(), absl::StatusCode::kFailedPrecondition);
}

TEST(ProjectChangeTest, RefusesBadInput) {
  const BudgetUnits units = {"สำนักงานเขตพระนคร", "สำนักการโยธา"};
  struct Case {
    const char* name;
    std::function<void(ProjectChange&)> edit;
  };
  const Case cases[] = {
      {"no text", [](ProjectChange& c) { c.text.clear(); }},
      {"progress over 100", [](ProjectChange& c) { c.progress_percent = 101; }},
      {"negative money", [](ProjectChange& c) { c.spent_baht = -1; }},
      {"javascript link", [](ProjectChange& c) { c.link = "javascript:alert(1)"; }},
      {"unknown agency", [](ProjectChange& c) { c.agency = "สำนักงานเขตที่ไม่มีจริง"; }},
      {"line twice",
       [](ProjectChange& c) {
         c.budget_line_ids = std::vector<int64_t>{5, 5};
       }},
      {"line zero", [](ProjectChange& c) { c.budget_line_ids = std::vector<int64_t>{0}; }},
      {"completed at 50%",
       [](ProjectChange& c) {
         c.status = ProjectStatus::kCompleted;
         c.progress_percent = 50;
       }},
  };
  for (const auto& k : cases) {
    ProjectRecord p = ProjectFromFunded(1, 1, 10, "สวน", 900000);
    ProjectChange c = Say("ข้อความ");
    k.edit(c);
    EXPECT_EQ(ApplyProjectChange(c, units, p).code(), absl::StatusCode::kInvalidArgument) << k.name;
  }
  ProjectRecord p = ProjectFromFunded(1, 1, 10, "สวน", 900000);
  ProjectChange ok = Say("มอบหมายหน่วยงาน");
  ok.agency = "สำนักงานเขตพระนคร";
  ok.link = "https://example.org/notice";
  ok.budget_line_ids = std::vector<int64_t>{42, 7};
  ASSERT_TRUE(ApplyProjectChange(ok, units, p).ok());
  EXPECT_EQ(p.agency, "สำนักงานเขตพระนคร");
  EXPECT_EQ(p.budget_line_ids, (std::vector<int64_t>{7, 42}));
}

TEST(BudgetUnitsTest, ReadsTheAgencyColumn) {
  auto units = BudgetUnitsFromOrdinanceCsv(
      "fiscal_year,agency,plan\n2566,สำนักงานเขตพระนคร,x\n2566,สำนักการโยธา,y\n2566,สำนักงานเขตพระนคร,z\n");
  ASSERT_TRUE(units.ok()) << units.status();
  EXPECT_EQ(*units, (BudgetUnits{"สำนักงานเขตพระนคร", "สำนักการโยธา"}));
  EXPECT_FALSE(BudgetUnitsFromOrdinanceCsv("fiscal_year,plan\n2566,x\n").ok());
}

TEST(ProjectFilterTest, MatchesEveryField) {
  ProjectRecord p = ProjectFromFunded(2, 7, 10, "สวน", 900000);
  p.agency = "สำนักการโยธา";
  p.budget_line_ids = {11};
  EXPECT_TRUE(ProjectFilter{}.Matches(p));
  EXPECT_TRUE((ProjectFilter{2, 7, ProjectStatus::kPlanned, "สำนักการโยธา", 11}).Matches(p));
  EXPECT_FALSE((ProjectFilter{3}).Matches(p));
  EXPECT_FALSE((ProjectFilter{0, 8}).Matches(p));
  EXPECT_FALSE((ProjectFilter{0, 0, ProjectStatus::kCompleted}).Matches(p));
  EXPECT_FALSE((ProjectFilter{0, 0, std::nullopt, "สำนักงานเขตพระนคร"}).Matches(p));
  EXPECT_FALSE((ProjectFilter{0, 0, std::nullopt, "", 12}).Matches(p));
}

}  // namespace
}  // namespace bkk::voting
