// HTTP/1.1 request parsing on Boost.Beast's parser; see http_request_parser.h.
#include "gateway/core/http_request_parser.h"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <limits>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace bkk::gateway {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {

std::string Str(beast::string_view s) { return std::string(s.data(), s.size()); }

}  // namespace

// The head is read by an empty-body parser, which becomes the string-body
// parser once the body limit is known (as Beast's read_header/read did).
struct HttpRequestParser::Impl {
  explicit Impl(uint32_t limit) : max_header_bytes(limit) {}

  http::basic_parser<true>& parser() {
    if (body) return *body;
    return *head;
  }
  const http::request_header<>& header() const {
    if (body) return body->get();
    return head->get();
  }
  absl::Status Error(const beast::error_code& ec) const {
    if (ec == http::error::header_limit) {
      return absl::ResourceExhaustedError(absl::StrCat("the request headers exceed ", max_header_bytes, " bytes"));
    }
    if (ec == http::error::body_limit) {
      return absl::OutOfRangeError(absl::StrCat("the request body exceeds ", body_limit, " bytes"));
    }
    return absl::InvalidArgumentError(absl::StrCat("malformed HTTP request: ", ec.message()));
  }

  const uint32_t max_header_bytes;
  uint64_t body_limit = 0;
  std::optional<http::request_parser<http::empty_body>> head;
  std::optional<http::request_parser<http::string_body>> body;
};

HttpRequestParser::HttpRequestParser(uint32_t max_header_bytes) : impl_(std::make_unique<Impl>(max_header_bytes)) {
  Reset();
}

HttpRequestParser::~HttpRequestParser() = default;

void HttpRequestParser::Reset() {
  impl_->body.reset();
  impl_->body_limit = 0;
  impl_->head.emplace();
  impl_->head->header_limit(impl_->max_header_bytes);
  // The body limit depends on the route; BeginBody sets it once the target
  // is known. (Not boost::none: Beast 1.74 then refuses every Content-Length.)
  impl_->head->body_limit(std::numeric_limits<std::uint64_t>::max());
  keep_alive_ = false;
  head_ = false;
}

absl::StatusOr<HttpRequestParser::Progress> HttpRequestParser::Parse(absl::string_view data, size_t* used) {
  *used = 0;
  http::basic_parser<true>& parser = impl_->parser();
  if (!impl_->body) {
    if (!parser.is_header_done()) {
      // Nothing to parse is no progress; Beast's read loop reads first too.
      if (data.empty()) return Progress::kNeedMore;
      beast::error_code ec;
      *used = parser.put(boost::asio::const_buffer(data.data(), data.size()), ec);
      if (ec && ec != http::error::need_more) return impl_->Error(ec);
    }
    return parser.is_header_done() ? Progress::kHead : Progress::kNeedMore;
  }
  if (!parser.is_done()) {
    // Mid-body, Beast would take nothing as success without progress.
    if (data.empty()) return Progress::kNeedMore;
    beast::error_code ec;
    *used = parser.put(boost::asio::const_buffer(data.data(), data.size()), ec);
    if (ec && ec != http::error::need_more) return impl_->Error(ec);
    if (!parser.is_done()) return Progress::kNeedMore;
  }
  // A request without a body is done with its head.
  keep_alive_ = impl_->body->get().keep_alive();
  head_ = impl_->body->get().method() == http::verb::head;
  return Progress::kDone;
}

absl::Status HttpRequestParser::BeginBody(uint64_t body_limit) {
  impl_->body_limit = body_limit;
  const auto length = impl_->head->content_length();
  if (length && *length > body_limit) {
    return absl::OutOfRangeError(absl::StrCat("the request body is ", *length, " bytes; the limit is ", body_limit));
  }
  impl_->body.emplace(std::move(*impl_->head));
  impl_->head.reset();
  impl_->body->body_limit(body_limit);
  // As Beast's read: parse every body byte given, not one piece per call.
  impl_->body->eager(true);
  return absl::OkStatus();
}

absl::string_view HttpRequestParser::target() const {
  const beast::string_view t = impl_->header().target();
  return absl::string_view(t.data(), t.size());
}

unsigned HttpRequestParser::version() const { return impl_->header().version() == 10 ? 10 : 11; }

std::optional<uint64_t> HttpRequestParser::content_length() const {
  const auto length = impl_->body ? impl_->body->content_length() : impl_->head->content_length();
  if (!length) return std::nullopt;
  return *length;
}

bool HttpRequestParser::expects_continue() const {
  return beast::iequals(impl_->header()[http::field::expect], "100-continue");
}

HttpRequest HttpRequestParser::TakeRequest() {
  http::request<http::string_body> req = impl_->body->release();
  impl_->body.reset();
  HttpRequest request;
  request.method = Str(req.method_string());
  request.target = Str(req.target());
  request.headers.reserve(16);
  for (const auto& field : req) request.headers.push_back({Str(field.name_string()), Str(field.value())});
  request.body = std::move(req.body());
  return request;
}

HttpParseError HttpErrorForParseStatus(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOutOfRange:
      return {413, "PAYLOAD_TOO_LARGE"};
    case absl::StatusCode::kResourceExhausted:
      return {431, "HEADERS_TOO_LARGE"};
    default:
      return {400, "INVALID_ARGUMENT"};
  }
}

}  // namespace bkk::gateway
