// Structured JSON logging; see log.h.
#include "common/log.h"

#include <cstdio>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/trace.h"
#include "common/utf8_json.h"

namespace bkk {
namespace {

std::mutex& LogMutex() {
  static std::mutex mu;
  return mu;
}

std::string& ServiceName() {
  static std::string name = "bkk";
  return name;
}

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

}  // namespace

void SetLogService(std::string service) { ServiceName() = std::move(service); }

void Log(LogLevel level, absl::string_view event, std::initializer_list<LogField> fields) {
  std::string line = absl::StrCat(
      "{\"ts\":\"", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()), "\",\"level\":\"",
      LevelName(level), "\",\"service\":", JsonQuote(ServiceName()), ",\"event\":", JsonQuote(event));
  bool has_trace = false;
  for (const auto& [key, value] : fields) {
    absl::StrAppend(&line, ",", JsonQuote(key), ":", JsonQuote(value));
    has_trace = has_trace || key == "trace_id";
  }
  if (!has_trace && !CurrentTraceId().empty()) absl::StrAppend(&line, ",\"trace_id\":", JsonQuote(CurrentTraceId()));
  line += "}\n";
  std::lock_guard<std::mutex> lock(LogMutex());
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace bkk
