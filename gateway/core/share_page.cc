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
  const std::string description = HtmlEscape(Shorten(description_text, 300));
  const std::string base(base_url);
  const std::string url = HtmlEscape(absl::StrCat(base, "/p/", id));
  const std::string image = HtmlEscape(absl::StrCat(base, image_path));
  const std::string app = absl::StrCat("/#/proposals/", id);
  const std::string support = WithThousands(response.support());

  return absl::StrCat(
      "<!doctype html>\n<html lang=\"th\">\n<head>\n<meta charset=\"utf-8\">\n",
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n", "<title>", title,
      " · งบกรุงเทพฯ #BangkokBudgeting</title>\n", "<meta name=\"description\" content=\"", description, "\">\n",
      "<meta property=\"og:type\" content=\"website\">\n",
      "<meta property=\"og:site_name\" content=\"งบกรุงเทพฯ Bangkok Budgeting\">\n",
      "<meta property=\"og:locale\" content=\"th_TH\">\n", "<meta property=\"og:title\" content=\"", title, "\">\n",
      "<meta property=\"og:description\" content=\"", description, "\">\n", "<meta property=\"og:url\" content=\"", url,
      "\">\n", "<meta property=\"og:image\" content=\"", image, "\">\n",
      "<meta name=\"twitter:card\" content=\"summary_large_image\">\n", "<meta name=\"twitter:title\" content=\"",
      title, "\">\n", "<meta name=\"twitter:description\" content=\"", description, "\">\n",
      "<meta name=\"twitter:image\" content=\"", image, "\">\n", "<link rel=\"canonical\" href=\"", url, "\">\n",
      "<meta http-equiv=\"refresh\" content=\"0; url=", app, "\">\n", "</head>\n<body>\n<main>\n<h1>", title,
      "</h1>\n<p>", description, "</p>\n", "<p>ผู้สนับสนุน ", support, " คน · #BangkokBudgeting</p>\n", "<p><a href=\"",
      app, "\">เปิดในงบกรุงเทพฯ</a></p>\n</main>\n</body>\n</html>\n");
}

}  // namespace bkk::gateway
