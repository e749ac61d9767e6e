// The language a gRPC call asks for: the gateway's negotiated
// "accept-language" metadata ("th" or "en"); Thai when absent.
#ifndef BKK_COMMON_REQUEST_LANGUAGE_H_
#define BKK_COMMON_REQUEST_LANGUAGE_H_

#include <grpcpp/server_context.h>

#include "absl/strings/string_view.h"
#include "common/language.h"

namespace bkk {

inline Language RequestLanguage(const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(kLanguageMetadata);
  if (it == metadata.end()) return Language::kThai;
  return LanguageNamed(absl::string_view(it->second.data(), it->second.size()));
}

}  // namespace bkk

#endif  // BKK_COMMON_REQUEST_LANGUAGE_H_
