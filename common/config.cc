// Environment/flag configuration; see config.h.
#include "common/config.h"

#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

extern char** environ;

namespace bkk {

std::string Config::FlagFor(const std::string& env) {
  std::string name = env;
  if (absl::StartsWith(name, "BKK_")) name = name.substr(4);
  name = absl::AsciiStrToLower(name);
  absl::StrReplaceAll({{"_", "-"}}, &name);
  return "--" + name;
}

std::string Config::Usage(const std::vector<SettingSpec>& specs) {
  std::string out = "Settings (environment variable, or the flag):\n";
  for (const auto& s : specs) {
    absl::StrAppend(&out, "  ", s.env, " / ", FlagFor(s.env), "=...  ", s.help, s.required ? " (required)" : "",
                    s.default_value.empty() ? "" : absl::StrCat(" [default ", s.default_value, "]"), "\n");
  }
  return out;
}

absl::StatusOr<Config> Config::Load(const std::vector<SettingSpec>& specs, int argc, const char* const* argv) {
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return FromMaps(specs, env, args);
}

absl::StatusOr<Config> Config::FromMaps(const std::vector<SettingSpec>& specs,
                                        const std::map<std::string, std::string>& env,
                                        const std::vector<std::string>& args) {
  Config config;
  std::map<std::string, std::string> flags;
  std::vector<std::string> problems;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (absl::StartsWith(arg, "--")) {
      auto eq = arg.find('=');
      if (eq != std::string::npos) {
        flags[arg.substr(0, eq)] = arg.substr(eq + 1);
      } else if (i + 1 < args.size() && !absl::StartsWith(args[i + 1], "--")) {
        flags[arg] = args[++i];  // `--role moderator`
      } else {
        problems.push_back(absl::StrCat("flag ", arg, " needs a value (", arg, "=... or ", arg, " VALUE)"));
      }
    } else {
      config.positional_.push_back(arg);
    }
  }
  for (const auto& spec : specs) {
    std::string flag = FlagFor(spec.env);
    std::string value = spec.default_value;
    bool given = false;
    if (auto it = env.find(spec.env); it != env.end() && !it->second.empty()) {
      value = it->second;
      given = true;
    }
    if (auto it = flags.find(flag); it != flags.end()) {
      value = it->second;
      given = true;
      flags.erase(it);
    }
    if (spec.required && !given && value.empty()) {
      problems.push_back(absl::StrCat(spec.env, " is required (", spec.help, "); set it or pass ", flag, "=..."));
    }
    config.values_[spec.env] = value;
    config.secret_[spec.env] = spec.secret;
  }
  for (const auto& [flag, unused] : flags) {
    problems.push_back(absl::StrCat("unknown flag ", flag));
  }
  if (!problems.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("configuration refused: ", absl::StrJoin(problems, "; ")));
  }
  return config;
}

const std::string& Config::Get(const std::string& env) const {
  static const std::string kEmpty;
  auto it = values_.find(env);
  return it == values_.end() ? kEmpty : it->second;
}

absl::StatusOr<int64_t> Config::GetInt(const std::string& env) const {
  int64_t v = 0;
  if (!absl::SimpleAtoi(Get(env), &v)) {
    return absl::InvalidArgumentError(absl::StrCat(env, " must be an integer, got \"", Get(env), "\""));
  }
  return v;
}

std::string Config::Describe() const {
  std::vector<std::string> parts;
  for (const auto& [k, v] : values_) {
    parts.push_back(absl::StrCat(k, "=", secret_.at(k) && !v.empty() ? "***" : v));
  }
  return absl::StrJoin(parts, " ");
}

}  // namespace bkk
