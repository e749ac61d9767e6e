// Structured logs: one JSON object per line on stderr, so a cluster's log
// pipeline can index them without parsing prose.
#ifndef BKK_SERVICES_COMMON_LOG_H_
#define BKK_SERVICES_COMMON_LOG_H_

#include <initializer_list>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"

namespace bkk {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

using LogField = std::pair<absl::string_view, std::string>;

// Writes {"ts":…,"level":…,"service":…,"event":…, fields…}, plus the
// thread's trace_id while a ScopedTraceId lives (trace.h). Thread-safe.
void Log(LogLevel level, absl::string_view event, std::initializer_list<LogField> fields = {});

// Names the binary in every line; call once at the top of main.
void SetLogService(std::string service);

inline void LogInfo(absl::string_view event, std::initializer_list<LogField> fields = {}) {
  Log(LogLevel::kInfo, event, fields);
}
inline void LogWarning(absl::string_view event, std::initializer_list<LogField> fields = {}) {
  Log(LogLevel::kWarning, event, fields);
}
inline void LogError(absl::string_view event, std::initializer_list<LogField> fields = {}) {
  Log(LogLevel::kError, event, fields);
}

}  // namespace bkk

#endif  // BKK_SERVICES_COMMON_LOG_H_
