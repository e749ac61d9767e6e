// libFuzzer target for the gateway's request path before any socket or
// backend: the path-template parser, route matching on the real route
// table, query/path transcoding and JSON body -> request message, then the
// request back to JSON (the direct printer must equal protobuf's) and again
// to a message (which must round-trip), and the error body for whatever was
// refused. Input: "METHOD TARGET\nBODY".
// Built and run by tests/fuzz/run.sh (target route_transcode) with clang's
// ASan and UBSan.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "gateway/core/default_routes.h"
#include "gateway/core/route_table.h"
#include "gateway/core/status_map.h"
#include "gateway/core/text.h"
#include "gateway/core/transcoder.h"

namespace {

using bkk::gateway::RouteTable;

const RouteTable& Table() {
  static const std::shared_ptr<const RouteTable> table = [] {
    auto built = RouteTable::Build(*google::protobuf::DescriptorPool::generated_pool(),
                                   bkk::gateway::DefaultRouteTableOptions());
    if (!built.ok()) __builtin_trap();
    return *built;
  }();
  return *table;
}

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const absl::string_view line = input.substr(0, newline);
  const absl::string_view body = newline == absl::string_view::npos ? absl::string_view() : input.substr(newline + 1);
  const size_t space = line.find(' ');
  const absl::string_view method = line.substr(0, space);
  const absl::string_view target = space == absl::string_view::npos ? absl::string_view() : line.substr(space + 1);
  const size_t question = target.find('?');
  const absl::string_view path = target.substr(0, question);
  const absl::string_view query =
      question == absl::string_view::npos ? absl::string_view() : target.substr(question + 1);

  // The template grammar, on arbitrary text.
  (void)bkk::gateway::PathTemplate::Parse(path);
  // Text helpers always produce valid UTF-8 for JSON.
  Check(bkk::gateway::IsValidUtf8(bkk::gateway::JsonQuote(input)));
  Check(bkk::gateway::IsValidUtf8(bkk::gateway::QuoteForMessage(input)));

  auto match = Table().Match(method, path);
  if (match.outcome != RouteTable::Outcome::kMatched) return 0;
  auto request = bkk::gateway::BuildGrpcRequest(*match.route, match.bindings, query, body);
  if (!request.ok()) {
    // Refusals become a valid JSON error body with a 4xx status.
    auto response = bkk::gateway::ErrorResponseForStatus(request.status());
    Check(response.status >= 400 && response.status < 500);
    Check(bkk::gateway::IsValidUtf8(response.body));
    return 0;
  }
  // Whatever was accepted prints as JSON and parses back to the same message.
  auto json = bkk::gateway::MessageToJson(**request);
  Check(json.ok());
  // The direct printer and protobuf's agree byte for byte (no request type
  // has a map, whose key order is the one place they may differ).
  std::string fast;
  if (bkk::gateway::MessageToJsonFast(**request, &fast)) {
    auto reference = bkk::gateway::MessageToJsonReference(**request);
    Check(reference.ok() && *reference == fast);
  }
  std::unique_ptr<google::protobuf::Message> again((*request)->New());
  auto status = google::protobuf::util::JsonStringToMessage(*json, again.get());
  Check(status.ok());
  Check(google::protobuf::util::MessageDifferencer::Equals(**request, *again));
  return 0;
}
