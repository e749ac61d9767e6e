// What every binary's thin main does the same way: --help from the settings,
// and one exit path for fatal errors (logged as JSON and said plainly on
// stderr; exit 2 for a configuration the operator must fix, 1 otherwise).
#ifndef BKK_SERVICES_COMMON_SERVICE_MAIN_H_
#define BKK_SERVICES_COMMON_SERVICE_MAIN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/config.h"

namespace bkk {

// Prints "usage: <usage>" and every setting when argv has --help.
bool PrintHelpIfAsked(int argc, char** argv, const std::string& usage, const std::vector<SettingSpec>& specs);

// Raises the open-file soft limit to the hard limit (runtimes often start
// processes at 1024 while allowing far more) and returns the limit now in
// force. Servers whose connections are file descriptors size their caps
// by it.
int64_t RaiseOpenFileLimit();

// Logs and prints `status`; returns the exit code for main to return.
int ExitWithError(const std::string& binary, const absl::Status& status);

}  // namespace bkk

#endif  // BKK_SERVICES_COMMON_SERVICE_MAIN_H_
