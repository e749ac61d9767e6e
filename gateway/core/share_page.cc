// Share page rendering; see share_page.h.
#include "gateway/core/share_page.h"

#include "absl/strings/str_cat.h"
#include "gateway/core/text.h"

namespace bkk::gateway {
namespace {

// Cuts `s` to at most `max_bytes` on a UTF-8 boundary, adding an ellipsis.
std::string Shorten(absl::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return absl::StrCat(s.substr(0, cut), "…");
}

std::string WithThousands(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return v < 0 ? "-" + out : out;
}

// The page around a preview's texts (already escaped).
std::string Page(const std::string& title, const std::string& description, const std::string& url,
                 const std::string& image, const std::string& app, const std::string& body) {
  return absl::StrCat("<!doctype html>\n<html lang=\"th\">\n<head>\n<meta charset=\"utf-8\">\n",
                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n", "<title>", title,
                      " · งบกรุงเทพฯ #BangkokBudgeting</title>\n", "<meta name=\"description\" content=\"", description,
                      "\">\n", "<meta property=\"og:type\" content=\"website\">\n",
                      "<meta property=\"og:site_name\" content=\"งบกรุงเทพฯ Bangkok Budgeting\">\n",
                      "<meta property=\"og:locale\" content=\"th_TH\">\n", "<meta property=\"og:title\" content=\"",
                      title, "\">\n", "<meta property=\"og:description\" content=\"", description, "\">\n",
                      "<meta property=\"og:url\" content=\"", url, "\">\n", "<meta property=\"og:image\" content=\"",
                      image, "\">\n", "<meta name=\"twitter:card\" content=\"summary_large_image\">\n",
                      "<meta name=\"twitter:title\" content=\"", title, "\">\n",
                      "<meta name=\"twitter:description\" content=\"", description, "\">\n",
                      "<meta name=\"twitter:image\" content=\"", image, "\">\n", "<link rel=\"canonical\" href=\"", url,
                      "\">\n", "<meta http-equiv=\"refresh\" content=\"0; url=", app, "\">\n",
                      "</head>\n<body>\n<main>\n<h1>", title, "</h1>\n<p>", description, "</p>\n", body,
                      "<p><a href=\"", app, "\">เปิดในงบกรุงเทพฯ</a></p>\n</main>\n</body>\n</html>\n");
}

}  // namespace

std::string RenderSharePage(const bkkbudget::voting::v1::GetProposalResponse& response, absl::string_view base_url,
                            absl::string_view image_path) {
  const auto& p = response.proposal();
  const std::string id = std::to_string(p.proposal_id());
  const std::string title = HtmlEscape(Shorten(p.title().empty() ? "ข้อเสนอโครงการ" : p.title(), 200));
  std::string description_text = p.description();
  if (description_text.empty()) {
    description_text = absl::StrCat("ข้อเสนอสำหรับเขต ", p.district_id(), " งบประมาณโดยประมาณ ",
                                    WithThousands(p.estimated_cost_baht()), " บาท");
  }
  const std::string base(base_url);
  return Page(title, HtmlEscape(Shorten(description_text, 300)), HtmlEscape(absl::StrCat(base, "/p/", id)),
              HtmlEscape(absl::StrCat(base, image_path)), absl::StrCat("/#/proposals/", id),
              absl::StrCat("<p>ผู้สนับสนุน ", WithThousands(response.support()), " คน · #BangkokBudgeting</p>\n"));
}

std::string RenderResultsSharePage(const bkkbudget::voting::v1::ComputeOutcomeResponse& response, int64_t round_id,
                                   int32_t district_id, absl::string_view base_url, absl::string_view image_path) {
  const std::string where = absl::StrCat(round_id, "/", district_id);
  const std::string title = HtmlEscape(absl::StrCat("ผลการโหวตงบประมาณเขต ", district_id, " รอบ ", round_id));
  std::string winners;
  std::string list;
  int funded = 0;
  for (const auto& p : response.projects()) {
    if (!p.funded()) continue;
    ++funded;
    if (funded <= 3) absl::StrAppend(&winners, winners.empty() ? "" : ", ", p.title());
    absl::StrAppend(&list, "<li>", HtmlEscape(Shorten(p.title(), 200)), " — ", WithThousands(p.cost_baht()),
                    " บาท</li>\n");
  }
  if (funded > 3) absl::StrAppend(&winners, " และอีก ", funded - 3, " โครงการ");
  const std::string description_text =
      funded == 0 ? absl::StrCat("ไม่มีโครงการได้รับงบ · ผู้ลงคะแนน ", WithThousands(response.voter_count()), " คน")
                  : absl::StrCat("โครงการที่ได้รับงบ: ", winners, " · ใช้ ", WithThousands(response.spent_baht()), " จาก ",
                                 WithThousands(response.budget_baht()), " บาท · ผู้ลงคะแนน ",
                                 WithThousands(response.voter_count()), " คน");
  const std::string base(base_url);
  return Page(title, HtmlEscape(Shorten(description_text, 300)), HtmlEscape(absl::StrCat(base, "/r/", where)),
              HtmlEscape(absl::StrCat(base, image_path)), absl::StrCat("/#/results/", where),
              list.empty() ? "" : absl::StrCat("<ol>\n", list, "</ol>\n"));
}

}  // namespace bkk::gateway
