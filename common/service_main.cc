// Shared pieces of the binaries' mains; see service_main.h.
#include "common/service_main.h"

#include <sys/resource.h>

#include <iostream>

#include "common/log.h"

namespace bkk {

bool PrintHelpIfAsked(int argc, char** argv, const std::string& usage, const std::vector<SettingSpec>& specs) {
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--help") {
      std::cout << "usage: " << usage << "\n" << Config::Usage(specs);
      return true;
    }
  }
  return false;
}

int64_t RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? INT64_MAX : static_cast<int64_t>(limit.rlim_cur);
}

int ExitWithError(const std::string& binary, const absl::Status& status) {
  LogError("fatal", {{"error", std::string(status.message())}});
  std::cerr << binary << ": " << status.message() << "\n";
  return status.code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
}

}  // namespace bkk
