// Every real election in data/pabulib/ and data/pabulib-sample/ goes through
// ImportPabulib and ComputeOutcome with its own rule and must fund exactly
// what the city funded (its `selected` column), and export its numbers back
// exactly. Two files record no funded set to reproduce: Jersey City's rule
// is "unknown" and Gdańsk's has no `selected` column; both must say so.
#include "services/voting/core/pabulib_check.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace bkk::voting {
namespace {

using ::testing::HasSubstr;

std::vector<std::filesystem::path> Files(const std::string& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(absl::StrCat(BKK_DATA_DIR, "/", dir))) {
    if (entry.path().extension() == ".pb") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string Read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(PabulibCheckTest, EveryRealElectionFundsWhatItsCityFunded) {
  std::vector<PabulibCheck> checks;
  for (const std::string dir : {"pabulib", "pabulib-sample"}) {
    for (const auto& path : Files(dir)) {
      PabulibCheck check = CheckPabulibElection(path.filename().string(), Read(path));
      SCOPED_TRACE(FormatCheck(check));
      if (path.filename() == "US_Stanford_Dataset_2022_Jersey_City_Ward_B_vote_knapsacks.pb") {
        EXPECT_EQ(check.verdict, PabulibCheck::Verdict::kUnsupported);
        EXPECT_THAT(check.detail, HasSubstr("rule \"unknown\" is not one this service runs"));
      } else if (path.filename() == "Poland_Gdansk_2020_Rudniki.pb") {
        EXPECT_EQ(check.verdict, PabulibCheck::Verdict::kUnsupported);
        EXPECT_THAT(check.detail, HasSubstr("no selected column"));
      } else {
        EXPECT_EQ(check.verdict, PabulibCheck::Verdict::kMatched);
        EXPECT_FALSE(check.expected.empty());
      }
      checks.push_back(std::move(check));
    }
  }
  EXPECT_EQ(checks.size(), 25u);
  EXPECT_EQ(FormatCheckTotals(checks), "23 matched, 0 differ, 2 unsupported");
}

TEST(PabulibCheckTest, SaysWhatDiffers) {
  // The city funded project 2 (it marked it selected); greedy funds 1.
  const std::string file =
      "META\nbudget;10\nrule;greedy\nPROJECTS\nproject_id;cost;selected\n1;10;0\n2;5;1\n"
      "VOTES\nvoter_id;vote\nv1;1\nv2;1,2\n";
  const PabulibCheck check = CheckPabulibElection("made-up.pb", file);
  EXPECT_EQ(check.verdict, PabulibCheck::Verdict::kDiffers);
  EXPECT_THAT(check.detail, HasSubstr("funded here but not by the city: [1]; funded by the city but not here: [2]"));
  EXPECT_THAT(FormatCheck(check), HasSubstr("DIFFERS"));
}

TEST(PabulibCheckTest, TurnoutAwardsOutsideTheRuleAreLeftOut) {
  // Greedy-no-skip with a threshold of 2 funds project 1 (3 votes); 2 (1 vote)
  // is below it, yet the city funded it from outside the rule (selected=2).
  const std::string file =
      "META\nbudget;10\nrule;greedy-no-skip\nmin_project_score_threshold;2\nPROJECTS\nproject_id;cost;selected\n"
      "1;6;1\n2;6;2\nVOTES\nvoter_id;vote\nv1;1,2\nv2;1\nv3;1\n";
  const PabulibCheck check = CheckPabulibElection("made-up.pb", file);
  EXPECT_EQ(check.verdict, PabulibCheck::Verdict::kMatched) << FormatCheck(check);
  EXPECT_EQ(check.expected, (std::set<std::string>{"1"}));
  EXPECT_THAT(FormatCheck(check), HasSubstr("1 project(s) with selected=2 were funded outside the rule"));
}

}  // namespace
}  // namespace bkk::voting
