// The built web app (gateway/web/dist) served from disk with the right
// content types: `/` is index.html, hashed files under /assets/ are cached
// for a year, everything else revalidates by ETag; a precompressed `.gz`
// sibling is sent to clients that accept gzip. Paths never leave the root.
#ifndef BKK_GATEWAY_CORE_STATIC_FILES_H_
#define BKK_GATEWAY_CORE_STATIC_FILES_H_

#include <ctime>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "absl/strings/string_view.h"
#include "gateway/core/http_types.h"

namespace bkk::gateway {

class StaticFiles final {
 public:
  explicit StaticFiles(std::string root);

  // The response for a (raw, percent-encoded) request path, or nullopt when
  // there is no such file.
  std::optional<HttpResponse> Serve(absl::string_view raw_path, absl::string_view accept_encoding,
                                    absl::string_view if_none_match);

  static absl::string_view ContentTypeFor(absl::string_view path);

 private:
  struct File {
    std::string body;
    std::string etag;
    time_t mtime = 0;
    off_t size = 0;
  };
  std::shared_ptr<const File> Load(const std::string& path);

  const std::string root_;
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const File>> files_;
  size_t cached_bytes_ = 0;
};

}  // namespace bkk::gateway

#endif  // BKK_GATEWAY_CORE_STATIC_FILES_H_
