// W3C Trace Context (traceparent) for following one request across the
// gateway and the services: the gateway accepts the client's trace or starts
// one, passes it on as gRPC metadata, and every log line written while a
// ScopedTraceId lives carries its trace_id (log.h), so one grep follows a
// ballot from HTTP to its PostgreSQL commit. No spans are exported: the ids
// are for logs and error bodies.
#ifndef BKK_COMMON_TRACE_H_
#define BKK_COMMON_TRACE_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace bkk {

// The gRPC metadata key and HTTP header (lower case).
inline constexpr char kTraceParentKey[] = "traceparent";

struct TraceParent {
  std::string trace_id;  // 32 lower-case hex digits, not all zero
  std::string span_id;   // 16 lower-case hex digits, not all zero
  bool sampled = false;
};

// A version-00 header ("00-<trace_id>-<span_id>-<flags>"); nullopt when it is
// not one (the W3C rule: an invalid header starts a new trace). Later
// versions are read by their first four fields, as the spec asks.
std::optional<TraceParent> ParseTraceParent(absl::string_view header);

// A new trace with random ids.
TraceParent NewTrace();
// The same trace with a new span: what a hop passes to the next one.
TraceParent ChildSpan(const TraceParent& parent);
std::string FormatTraceParent(const TraceParent& trace);

// While one lives, log lines written on this thread carry `trace_id`; nests
// (the previous id returns when it ends). Empty ids change nothing.
class ScopedTraceId {
 public:
  explicit ScopedTraceId(std::string trace_id);
  ~ScopedTraceId();
  ScopedTraceId(const ScopedTraceId&) = delete;
  ScopedTraceId& operator=(const ScopedTraceId&) = delete;

 private:
  std::string previous_;
};

// The trace id of the request this thread is working on, or "".
const std::string& CurrentTraceId();

}  // namespace bkk

#endif  // BKK_COMMON_TRACE_H_
