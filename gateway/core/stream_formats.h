// How streamed answers are framed: server-sent events (one `data:` event
// per message) and CSV (UTF-8 BOM so Excel shows Thai, a header row, RFC
// 4180 quoting and CRLF line ends), both rendered from messages by
// reflection so the formats follow the protos.
#ifndef BKK_GATEWAY_CORE_STREAM_FORMATS_H_
#define BKK_GATEWAY_CORE_STREAM_FORMATS_H_

#include <google/protobuf/message.h>

#include <string>

#include "absl/strings/string_view.h"
#include "gateway/core/route_table.h"

namespace bkk::gateway {

inline constexpr absl::string_view kSseHeartbeat = ": heartbeat\n\n";

// "event: <event>\n" (when given) + one "data: " line per line of `data` + "\n".
std::string SseEvent(absl::string_view data, absl::string_view event = {});

// The BOM and the header row of a CSV route.
std::string CsvPreamble(const Route& route);

// The rows one response message contributes.
std::string CsvRows(const Route& route, const google::protobuf::Message& response);

}  // namespace bkk::gateway

#endif  // BKK_GATEWAY_CORE_STREAM_FORMATS_H_
