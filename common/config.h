// Service configuration read from the environment (and --flag=value
// overrides), validated once at start so a misconfigured pod fails fast with
// a message naming every missing or malformed setting.
#ifndef BKK_SERVICES_COMMON_CONFIG_H_
#define BKK_SERVICES_COMMON_CONFIG_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace bkk {

// One setting a binary reads. `env` is the environment variable
// (BKK_PG_URL); the matching flag is derived from it (--pg-url).
struct SettingSpec {
  std::string env;
  std::string help;
  bool required = false;
  std::string default_value;
  // Secrets are never echoed in logs.
  bool secret = false;
};

// Validated settings. Construct with Config::Load at the top of main.
class Config final {
 public:
  // Reads every spec from `environ` and argv flags; returns one error that
  // lists every problem, so an operator fixes them all in one go.
  static absl::StatusOr<Config> Load(const std::vector<SettingSpec>& specs, int argc, const char* const* argv);
  // Same, from explicit maps (for tests).
  static absl::StatusOr<Config> FromMaps(const std::vector<SettingSpec>& specs,
                                         const std::map<std::string, std::string>& env,
                                         const std::vector<std::string>& args);

  const std::string& Get(const std::string& env) const;
  // Parses an integer setting; the spec's default must already be valid.
  absl::StatusOr<int64_t> GetInt(const std::string& env) const;
  // Positional (non-flag) arguments, e.g. the `import DIR` subcommand.
  const std::vector<std::string>& positional() const { return positional_; }
  // A log-safe description (secrets masked).
  std::string Describe() const;

  // The flag spelling of an env name: BKK_PG_URL -> --pg-url.
  static std::string FlagFor(const std::string& env);
  // Usage text for --help.
  static std::string Usage(const std::vector<SettingSpec>& specs);

 private:
  std::map<std::string, std::string> values_;
  std::map<std::string, bool> secret_;
  std::vector<std::string> positional_;
};

}  // namespace bkk

#endif  // BKK_SERVICES_COMMON_CONFIG_H_
