// Exact decimal amounts as minor units; see money.h.
#include "services/voting/core/money.h"

#include <algorithm>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace bkk::voting {

int64_t MinorUnitsPerWhole(int scale) {
  int64_t units = 1;
  for (int i = 0; i < scale; ++i) units *= 10;
  return units;
}

int DecimalPlaces(absl::string_view text) {
  const absl::string_view t = absl::StripAsciiWhitespace(text);
  const size_t dot = t.find('.');
  const absl::string_view whole = t.substr(0, dot);
  const absl::string_view fraction = dot == absl::string_view::npos ? absl::string_view() : t.substr(dot + 1);
  if (whole.empty()) return -1;
  for (absl::string_view part : {whole, fraction}) {
    for (char c : part) {
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return -1;
    }
  }
  return static_cast<int>(fraction.size());
}

absl::StatusOr<int64_t> ParseAmount(absl::string_view text, int scale) {
  const int places = DecimalPlaces(text);
  if (places < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", text, "\" is not an amount: write digits with an optional '.' and decimals"));
  }
  if (places > scale) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", text, "\" has ", places, " decimal places; at most ", scale, " are kept for this election"));
  }
  const absl::string_view t = absl::StripAsciiWhitespace(text);
  int64_t value = 0;
  int seen_places = -1;  // -1 until the '.'
  for (char c : t) {
    if (c == '.') {
      seen_places = 0;
      continue;
    }
    if (seen_places >= 0) ++seen_places;
    if (value > (std::numeric_limits<int64_t>::max() - (c - '0')) / 10) {
      return absl::InvalidArgumentError(absl::StrCat("\"", text, "\" is too large"));
    }
    value = value * 10 + (c - '0');
  }
  for (int i = std::max(seen_places, 0); i < scale; ++i) {
    if (value > std::numeric_limits<int64_t>::max() / 10) {
      return absl::InvalidArgumentError(absl::StrCat("\"", text, "\" is too large"));
    }
    value *= 10;
  }
  return value;
}

std::string FormatAmount(int64_t minor_units, int scale) {
  const bool negative = minor_units < 0;
  // Through unsigned so INT64_MIN prints too.
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(minor_units) : static_cast<uint64_t>(minor_units);
  std::string digits = absl::StrCat(magnitude);
  if (scale > 0) {
    if (digits.size() <= static_cast<size_t>(scale)) digits.insert(0, scale + 1 - digits.size(), '0');
    digits.insert(digits.size() - scale, ".");
  }
  return negative ? absl::StrCat("-", digits) : digits;
}

}  // namespace bkk::voting
