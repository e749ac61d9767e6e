// Exact money. An amount is an int64 count of minor units with a scale: the
// number of decimal places its election keeps (baht rounds: 0, whole baht;
// a Polish file with grosze: 2, so 102533.36 zł is 10253336). Import,
// storage, outcome arithmetic and export all carry (units, scale); nothing
// is ever rounded or converted to floating point, because a rounded budget
// or cost can change which projects fit.
#ifndef SERVICES_VOTING_CORE_MONEY_H_
#define SERVICES_VOTING_CORE_MONEY_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace bkk::voting {

// More decimal places than any currency uses; more is refused at import.
inline constexpr int kMaxMoneyScale = 4;

// 10^scale: minor units in one whole unit (scale 0..kMaxMoneyScale).
int64_t MinorUnitsPerWhole(int scale);

// Decimal places written in `text` ("102533.36" -> 2, "7" -> 0), to choose a
// file's scale before parsing its amounts; -1 if `text` is not a plain
// non-negative decimal (digits, at most one '.', spaces around allowed).
int DecimalPlaces(absl::string_view text);

// Parses a non-negative decimal with at most `scale` decimal places into
// minor units: ParseAmount("102533.36", 2) == 10253336, ("7", 2) == 700.
// INVALID_ARGUMENT naming the text for signs, exponents, separators, more
// places than `scale`, or values beyond int64.
absl::StatusOr<int64_t> ParseAmount(absl::string_view text, int scale);

// The inverse: FormatAmount(10253336, 2) == "102533.36"; scale 0 prints
// whole units. Always `scale` places, so values keep their precision.
std::string FormatAmount(int64_t minor_units, int scale);

}  // namespace bkk::voting

#endif  // SERVICES_VOTING_CORE_MONEY_H_
