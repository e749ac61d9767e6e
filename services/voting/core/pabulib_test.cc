// Tests for the pabulib reader and writer, on the real files in the dataset
// and on small hand-written inputs for every error path.
#include "services/voting/core/pabulib.h"

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/voting/core/money.h"

namespace bkk::voting {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

const char* const kFiles[] = {
    "Netherlands_Assen_2024.pb",
    "Poland_Gdansk_2020_Rudniki.pb",
    "Poland_Warszawa_2017_Plac_Wojska_Polskiego.pb",
    "US_Stanford_Dataset_2022_Jersey_City_Ward_B_vote_knapsacks.pb",
};

std::string PathOf(absl::string_view name) { return absl::StrCat(BKK_DATA_DIR, "/pabulib/", name); }

std::string ReadText(absl::string_view name) {
  std::ifstream in(PathOf(name), std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

PbFile Load(absl::string_view name) {
  absl::StatusOr<PbFile> file = ReadPabulibFile(PathOf(name));
  EXPECT_TRUE(file.ok()) << file.status();
  return file.ok() ? *std::move(file) : PbFile();
}

int64_t MetaInt(const PbFile& file, absl::string_view key) {
  const std::string* value = file.FindMeta(key);
  return value == nullptr ? -1 : ParseAmount(*value, file.money_scale).value_or(-1);
}

TEST(PabulibRealFilesTest, CountsMatchTheirMeta) {
  for (const char* name : kFiles) {
    SCOPED_TRACE(name);
    const PbFile file = Load(name);
    EXPECT_EQ(static_cast<int64_t>(file.projects.size()), MetaInt(file, "num_projects"));
    EXPECT_EQ(static_cast<int64_t>(file.votes.size()), MetaInt(file, "num_votes"));
  }
}

TEST(PabulibRealFilesTest, AssenKeepsEverything) {
  const PbFile file = Load("Netherlands_Assen_2024.pb");
  ASSERT_EQ(file.meta.size(), 15u);
  EXPECT_THAT(file.meta.front(), Pair("description", "Assen Top Idee"));
  EXPECT_THAT(file.meta.back(), Pair("comment", "#1: Young people between the ages of 12 and 27 could vote"));
  EXPECT_EQ(*file.FindMeta("rule"), "equalshares/add1");
  EXPECT_EQ(file.Budget().value(), 100000);
  EXPECT_THAT(file.project_columns, ElementsAre("project_id", "cost", "votes", "name", "selected", "description"));
  const PbProject* p9 = file.FindProject("9");
  ASSERT_NE(p9, nullptr);
  EXPECT_EQ(p9->cost, 21000);
  EXPECT_EQ(p9->extra.at("name"), "Jongerenplatform");
  EXPECT_EQ(p9->extra.at("description"), "Begrip streeft ernaar een centraal platform te creëren voor");
  EXPECT_FALSE(file.HasPoints());
  EXPECT_EQ(file.votes.front().voter_id, "vote01006bcf-62b6-435d-a0de-2966c3e75249");
  EXPECT_THAT(file.votes.front().projects, ElementsAre("1", "2", "6", "9", "13"));
}

TEST(PabulibRealFilesTest, GdanskPointTotalsMatchScore) {
  const PbFile file = Load("Poland_Gdansk_2020_Rudniki.pb");
  ASSERT_TRUE(file.HasPoints());
  EXPECT_EQ(*file.FindMeta("vote_type"), "cumulative");
  std::map<std::string, int64_t> totals;
  for (const PbVote& v : file.votes) {
    ASSERT_EQ(v.points.size(), v.projects.size());
    for (size_t i = 0; i < v.projects.size(); ++i) {
      totals[v.projects[i]] += v.points[i];
    }
  }
  EXPECT_EQ(totals["1"], 498);
  EXPECT_EQ(totals["2"], 86);
  for (const PbProject& p : file.projects) {
    EXPECT_EQ(absl::StrCat(totals[p.id]), p.extra.at("score")) << p.id;
  }
  // The vote list keeps file order, which matters for ordinal files.
  bool found = false;
  for (const PbVote& v : file.votes) {
    if (v.voter_id == "23063") {
      found = true;
      EXPECT_THAT(v.projects, ElementsAre("2", "1"));
      EXPECT_THAT(v.points, ElementsAre(3, 2));
      EXPECT_EQ(v.extra.at("age"), "61");
      EXPECT_EQ(v.extra.at("sex"), "F");
    }
  }
  EXPECT_TRUE(found);
}

TEST(PabulibRealFilesTest, WarszawaKeepsListValuedExtraColumns) {
  const PbFile file = Load("Poland_Warszawa_2017_Plac_Wojska_Polskiego.pb");
  EXPECT_EQ(file.Budget().value(), 51195);
  const PbProject* p = file.FindProject("915");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->extra.at("category"), "education,environmental protection");
  EXPECT_EQ(p->extra.at("beneficiaries"), "None");
  EXPECT_THAT(file.vote_columns, ElementsAre("voter_id", "vote", "age", "sex", "voting_method"));
  EXPECT_EQ(file.votes.back().extra.at("voting_method"), "internet");
}

TEST(PabulibRealFilesTest, JerseyCityParses) {
  const PbFile file = Load("US_Stanford_Dataset_2022_Jersey_City_Ward_B_vote_knapsacks.pb");
  EXPECT_EQ(file.Budget().value(), 50000);
  EXPECT_EQ(file.projects.size(), 7u);
  EXPECT_EQ(file.votes.size(), 127u);
  EXPECT_THAT(file.project_columns, ElementsAre("project_id", "cost", "votes"));
  int64_t knapsack_votes = 0;
  for (const PbVote& v : file.votes) {
    int64_t cost = 0;
    for (const std::string& id : v.projects) cost += file.FindProject(id)->cost;
    EXPECT_LE(cost, 50000) << v.voter_id;  // knapsack ballots fit the budget
    if (v.projects.size() > 1) ++knapsack_votes;
  }
  EXPECT_EQ(knapsack_votes, 11);
}

TEST(PabulibRealFilesTest, WriteThenParseRoundTrips) {
  for (const char* name : kFiles) {
    SCOPED_TRACE(name);
    const PbFile file = Load(name);
    const absl::StatusOr<std::string> text = WritePabulib(file);
    ASSERT_TRUE(text.ok()) << text.status();
    const absl::StatusOr<PbFile> again = ParsePabulib(*text);
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(*again, file);
  }
}

TEST(PabulibRealFilesTest, WritingReproducesTheOriginalText) {
  // These files need no quoting and have whole costs, so the writer's output
  // is the original with LF instead of CRLF line ends.
  for (const char* name : kFiles) {
    SCOPED_TRACE(name);
    const std::string original = absl::StrReplaceAll(ReadText(name), {{"\r\n", "\n"}});
    EXPECT_EQ(WritePabulib(Load(name)).value(), original);
  }
}

constexpr absl::string_view kSmall =
    "META\n"
    "key;value\n"
    "budget;1000.00\n"
    "vote_type;cumulative\n"
    "PROJECTS\n"
    "project_id;cost;name\n"
    "a;600;First\n"
    "b;400;Second\n"
    "VOTES\n"
    "voter_id;vote;points;age\n"
    "v1;a,b;2,1;30\n"
    "v2;b;3;\n"
    "v3;;;44\n";

TEST(ParsePabulibTest, ParsesASmallFile) {
  const PbFile file = ParsePabulib(kSmall).value();
  // "1000.00" sets the scale: every amount in hundredths.
  EXPECT_EQ(file.money_scale, 2);
  EXPECT_EQ(file.Budget().value(), 100000);
  EXPECT_EQ(file.projects[0].cost, 60000);
  ASSERT_EQ(file.votes.size(), 3u);
  EXPECT_THAT(file.votes[0].points, ElementsAre(2, 1));
  EXPECT_EQ(file.votes[1].extra.at("age"), "");
  EXPECT_TRUE(file.votes[2].projects.empty());
  EXPECT_EQ(ParsePabulib(WritePabulib(file).value()).value(), file);
}

TEST(ParsePabulibTest, AcceptsBomCrlfBlankLinesAndNoMetaHeader) {
  const std::string text = absl::StrCat("\xEF\xBB\xBF",
                                        "META\r\nbudget;10\r\n\r\nPROJECTS\r\nproject_id;cost\r\n"
                                        "1;5\r\nVOTES\r\nvoter_id;vote\r\nx;1\r\n\r\n");
  const PbFile file = ParsePabulib(text).value();
  EXPECT_THAT(file.meta, ElementsAre(Pair("budget", "10")));
  EXPECT_EQ(file.votes.size(), 1u);
}

TEST(ParsePabulibTest, QuotedFieldsRoundTrip) {
  PbFile file = ParsePabulib(kSmall).value();
  file.SetMeta("comment", "#1: a; b \"quoted\"\nsecond line");
  file.projects[0].extra["name"] = "Park; playground";
  file.votes[0].extra["age"] = "\"30\"";
  const std::string text = WritePabulib(file).value();
  EXPECT_THAT(text, HasSubstr("a;600.00;\"Park; playground\"\n"));
  EXPECT_EQ(ParsePabulib(text).value(), file);
}

TEST(ParsePabulibTest, UnquotedSemicolonInMetaValueIsKept) {
  const PbFile file = ParsePabulib(
                          "META\nkey;value\ncomment;one;two\nPROJECTS\nproject_id;cost\n1;5\n"
                          "VOTES\nvoter_id;vote\nx;1\n")
                          .value();
  EXPECT_EQ(*file.FindMeta("comment"), "one;two");
  EXPECT_EQ(ParsePabulib(WritePabulib(file).value()).value(), file);
}

struct BadCase {
  const char* text;
  const char* expected;
};

TEST(ParsePabulibTest, ReportsLineAndReason) {
  const std::string head = "META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost;name\n";
  const BadCase cases[] = {
      {"", "line 1: the file is empty"},
      {"PROJECTS\n", "line 1: unexpected section PROJECTS"},
      {"budget;10\n", "line 1: expected the META section first"},
      {"META\nbudget;10\nVOTES\n", "line 3: unexpected section VOTES"},
      {"META\nbudget;10\n", "line 2: the PROJECTS section is missing"},
      {"META\nbudget\n", "line 2: META rows must be key;value"},
      {"META\nbudget;1\nbudget;2\n", "line 3: META key \"budget\" appears twice"},
      {"META\nb;1\nPROJECTS\nproject_id;name\n", "line 4: PROJECTS header has no \"cost\" column"},
      {"META\nb;1\nPROJECTS\nproject_id;cost;cost\n", "line 4: PROJECTS column \"cost\" appears twice"},
  };
  for (const BadCase& c : cases) {
    const absl::Status s = ParsePabulib(c.text).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_THAT(s.message(), HasSubstr(c.expected)) << c.text;
  }

  const BadCase body_cases[] = {
      {"1;5\n", "line 6: PROJECTS row has 2 fields, the header has 3"},
      {"1;5;a\n1;6;b\nVOTES\nvoter_id;vote\n", "line 7: project_id 1 appears twice"},
      {"1;5.12345;a\nVOTES\nvoter_id;vote\n", "line 6: project cost \"5.12345\" has 5 decimal places"},
      {"1;5,5;a\nVOTES\nvoter_id;vote\n", "line 6: project cost \"5,5\" is not an amount"},
      {"1;-5;a\nVOTES\nvoter_id;vote\n", "line 6: project cost"},
      {";5;a\nVOTES\nvoter_id;vote\n", "line 6: project_id is empty"},
      {"1;5;a\nVOTES\n", "line 7: VOTES has no header row"},
      {"1;5;a\n", "line 6: the VOTES section is missing"},
      {"1;5;a\nVOTES\nvoter_id;points\n", "line 8: VOTES header has no \"vote\" column"},
      {"1;5;a\nVOTES\nvoter_id;vote\nx;1;extra\n", "line 9: VOTES row has 3 fields, the header has 2"},
      {"1;5;a\nVOTES\nvoter_id;vote;points\nx;1;2,3\n", "line 9: voter x has 1 projects in vote but 2 points"},
      {"1;5;a\nVOTES\nvoter_id;vote;points\nx;1;two\n",
       "line 9: points of voter x: \"two\" is not a non-negative integer"},
      {"1;5;a\nVOTES\nvoter_id;vote;points\nx;1;-2\n", "line 9: points of voter x: \"-2\" is not a"},
      {"1;\"5;a\nVOTES\n", "line 6: quoted field is never closed"},
      {"1;\"5\"x;a\n", "line 6: unexpected character after a closing quote"},
      {"1;5;a\nPROJECTS\n", "line 7: unexpected section PROJECTS"},
  };
  for (const BadCase& c : body_cases) {
    const absl::Status s = ParsePabulib(absl::StrCat(head, c.text)).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_THAT(s.message(), HasSubstr(c.expected)) << c.text;
  }
}

TEST(ParsePabulibTest, FixesRealFileQuirksAndNotesEachFix) {
  const PbFile file = ParsePabulib(
                          "META\nbudget;102533.36\nPROJECTS\nproject_id;cost\nA-1;50000.5\nB;7\nC;1\n"
                          "VOTES\nvoter_id;vote;points\nx;A-1,A-1,B;2,5,1\ny;Z,B;1,1\nx;C,B;0,3\n")
                          .value();
  EXPECT_EQ(file.money_scale, 2);
  EXPECT_EQ(file.Budget().value(), 10253336);
  EXPECT_EQ(file.projects[0].cost, 5000050);
  EXPECT_EQ(file.projects[1].cost, 700);
  ASSERT_EQ(file.votes.size(), 3u);
  // A repeated project counts once, with its first points.
  EXPECT_THAT(file.votes[0].projects, ElementsAre("A-1", "B"));
  EXPECT_THAT(file.votes[0].points, ElementsAre(2, 1));
  // A project not in PROJECTS is left out.
  EXPECT_THAT(file.votes[1].projects, ElementsAre("B"));
  // A repeated voter keeps both ballots; zero points are not a choice.
  EXPECT_EQ(file.votes[2].voter_id, "x@line12");
  EXPECT_THAT(file.votes[2].projects, ElementsAre("B"));
  std::vector<std::string> notes;
  for (const PbNote& n : file.notes) notes.push_back(absl::StrCat(n.line, ": ", n.text));
  EXPECT_THAT(notes, ElementsAre(HasSubstr("10: voter x names project A-1 twice; counted once"),
                                 HasSubstr("11: voter y names project \"Z\", which is not in PROJECTS"),
                                 HasSubstr("12: voter_id x appears again; both ballots are kept"),
                                 HasSubstr("12: voter x@line12 gives project C 0 points; read as not chosen")));
  // What was read writes back and reads the same, amounts exactly.
  const std::string text = WritePabulib(file).value();
  EXPECT_THAT(text, HasSubstr("A-1;50000.50\n"));
  PbFile again = ParsePabulib(text).value();
  EXPECT_TRUE(again.notes.empty());
  EXPECT_EQ(again, file);
}

TEST(ReadPabulibFileTest, MissingFileIsNotFound) {
  EXPECT_EQ(ReadPabulibFile("/nonexistent/x.pb").status().code(), absl::StatusCode::kNotFound);
}

TEST(WritePabulibTest, RefusesInconsistentStructures) {
  PbFile file = ParsePabulib(kSmall).value();
  file.votes[0].points.pop_back();
  EXPECT_THAT(WritePabulib(file).status().message(), HasSubstr("voter v1 has 1 points for 2 projects"));

  file = ParsePabulib(kSmall).value();
  file.projects[1].extra.erase("name");
  EXPECT_THAT(WritePabulib(file).status().message(), HasSubstr("project b has 0 extra columns"));

  file = ParsePabulib(kSmall).value();
  file.votes[1].projects.push_back("zzz");
  file.votes[1].points.push_back(1);
  EXPECT_THAT(WritePabulib(file).status().message(), HasSubstr("unknown project \"zzz\""));

  file = ParsePabulib(kSmall).value();
  file.projects[0].id = "a,b";
  EXPECT_THAT(WritePabulib(file).status().message(), HasSubstr("contains ','"));
}

}  // namespace
}  // namespace bkk::voting
