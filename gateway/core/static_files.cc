// Static web app files; see static_files.h.
#include "gateway/core/static_files.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gateway/core/response_cache.h"
#include "gateway/core/text.h"

namespace bkk::gateway {
namespace {

constexpr size_t kMaxCachedFileBytes = 8 << 20;
constexpr size_t kMaxCachedBytes = 64 << 20;

bool EndsWith(absl::string_view s, absl::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool AcceptsGzip(absl::string_view accept_encoding) {
  // "gzip" listed without q=0 is enough for a precompressed file.
  size_t pos = accept_encoding.find("gzip");
  if (pos == absl::string_view::npos) return false;
  absl::string_view rest = accept_encoding.substr(pos + 4);
  size_t comma = rest.find(',');
  absl::string_view params = rest.substr(0, comma);
  return params.find("q=0") == absl::string_view::npos || params.find("q=0.") != absl::string_view::npos;
}

}  // namespace

StaticFiles::StaticFiles(std::string root) : root_(std::move(root)) {}

absl::string_view StaticFiles::ContentTypeFor(absl::string_view path) {
  static const std::pair<absl::string_view, absl::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
      {".map", "application/json; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".avif", "image/avif"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".ttf", "font/ttf"},
      {".otf", "font/otf"},
      {".txt", "text/plain; charset=utf-8"},
      {".csv", "text/csv; charset=utf-8"},
      {".xml", "application/xml"},
      {".pdf", "application/pdf"},
      {".wasm", "application/wasm"},
  };
  std::string lower = AsciiLower(path);
  for (const auto& [ext, type] : kTypes) {
    if (EndsWith(lower, ext)) return type;
  }
  return "application/octet-stream";
}

std::shared_ptr<const StaticFiles::File> StaticFiles::Load(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = files_.find(path);
    if (it != files_.end() && it->second->mtime == st.st_mtime && it->second->size == st.st_size) {
      return it->second;
    }
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return nullptr;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  auto file = std::make_shared<File>();
  file->body = buffer.str();
  file->mtime = st.st_mtime;
  file->size = st.st_size;
  file->etag = absl::StrFormat("\"s-%016x\"", StableHash64(file->body));
  if (file->body.size() <= kMaxCachedFileBytes) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = files_.find(path);
    if (it != files_.end()) {
      cached_bytes_ -= it->second->body.size();
      files_.erase(it);
    }
    if (cached_bytes_ + file->body.size() > kMaxCachedBytes) {
      files_.clear();
      cached_bytes_ = 0;
    }
    files_.emplace(path, file);
    cached_bytes_ += file->body.size();
  }
  return file;
}

std::optional<HttpResponse> StaticFiles::Serve(absl::string_view raw_path, absl::string_view accept_encoding,
                                               absl::string_view if_none_match) {
  if (root_.empty()) return std::nullopt;
  auto decoded = PercentDecode(raw_path, false);
  if (!decoded || decoded->empty() || (*decoded)[0] != '/') return std::nullopt;
  std::string path = *decoded;
  if (path == "/") path = "/index.html";
  // Refuse anything that could step outside the root or reveal hidden files.
  if (path.find('\0') != std::string::npos || path.find('\\') != std::string::npos) return std::nullopt;
  size_t pos = 1;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    absl::string_view segment(path.data() + pos, (slash == std::string::npos ? path.size() : slash) - pos);
    if (segment.empty() || segment[0] == '.') return std::nullopt;
    if (slash == std::string::npos) break;
    pos = slash + 1;
  }
  const std::string full = root_ + path;
  std::shared_ptr<const File> file;
  bool gzip = false;
  if (AcceptsGzip(accept_encoding)) {
    file = Load(full + ".gz");
    gzip = file != nullptr;
  }
  if (!file) file = Load(full);
  // A folder's page: /admin and /admin/ serve /admin/index.html.
  if (!file && path.find('.', path.rfind('/')) == std::string::npos) {
    path = absl::StrCat(path.back() == '/' ? path.substr(0, path.size() - 1) : path, "/index.html");
    file = Load(root_ + path);
  }
  if (!file) return std::nullopt;

  HttpResponse response;
  response.SetHeader("Content-Type", std::string(ContentTypeFor(path)));
  response.SetHeader("ETag", file->etag);
  response.SetHeader("Cache-Control",
                     path.rfind("/assets/", 0) == 0 ? "public, max-age=31536000, immutable" : "no-cache");
  if (gzip) response.SetHeader("Content-Encoding", "gzip");
  response.SetHeader("Vary", "Accept-Encoding");
  if (IfNoneMatchMatches(if_none_match, file->etag)) {
    response.status = 304;
    return response;
  }
  response.body = file->body;
  return response;
}

}  // namespace bkk::gateway
