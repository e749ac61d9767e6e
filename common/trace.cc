// W3C traceparent parsing and the per-thread trace id; see trace.h.
#include "common/trace.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace bkk {
namespace {

thread_local std::string current_trace_id;

bool IsLowerHex(absl::string_view s, size_t size) {
  if (s.size() != size) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return s.find_first_not_of('0') != absl::string_view::npos;  // all zeros is invalid
}

// Trace ids need to be unique, not secret: a per-thread generator seeded
// from the OS is enough and costs no system call per request.
std::string RandomHex(size_t digits) {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(digits);
  while (out.size() < digits) {
    uint64_t bits = engine();
    for (int i = 0; i < 16 && out.size() < digits; ++i, bits >>= 4) out.push_back(kHex[bits & 0xF]);
  }
  if (out.find_first_not_of('0') == std::string::npos) out.back() = '1';
  return out;
}

}  // namespace

std::optional<TraceParent> ParseTraceParent(absl::string_view header) {
  std::vector<absl::string_view> parts = absl::StrSplit(header, '-');
  if (parts.size() < 4) return std::nullopt;
  const absl::string_view version = parts[0];
  if (version.size() != 2 || version == "ff" ||
      version.find_first_not_of("0123456789abcdef") != absl::string_view::npos) {
    return std::nullopt;
  }
  if (version == "00" && parts.size() != 4) return std::nullopt;
  if (!IsLowerHex(parts[1], 32) || !IsLowerHex(parts[2], 16)) return std::nullopt;
  const absl::string_view flags = parts[3];
  if (flags.size() != 2 || flags.find_first_not_of("0123456789abcdef") != absl::string_view::npos) {
    return std::nullopt;
  }
  TraceParent trace;
  trace.trace_id = std::string(parts[1]);
  trace.span_id = std::string(parts[2]);
  trace.sampled = (flags[1] == '1' || flags[1] == '3' || flags[1] == '5' || flags[1] == '7' || flags[1] == '9' ||
                   flags[1] == 'b' || flags[1] == 'd' || flags[1] == 'f');
  return trace;
}

TraceParent NewTrace() { return TraceParent{RandomHex(32), RandomHex(16), false}; }

TraceParent ChildSpan(const TraceParent& parent) { return TraceParent{parent.trace_id, RandomHex(16), parent.sampled}; }

std::string FormatTraceParent(const TraceParent& trace) {
  return absl::StrCat("00-", trace.trace_id, "-", trace.span_id, trace.sampled ? "-01" : "-00");
}

ScopedTraceId::ScopedTraceId(std::string trace_id) : previous_(current_trace_id) {
  if (!trace_id.empty()) current_trace_id = std::move(trace_id);
}

ScopedTraceId::~ScopedTraceId() { current_trace_id = std::move(previous_); }

const std::string& CurrentTraceId() { return current_trace_id; }

}  // namespace bkk
