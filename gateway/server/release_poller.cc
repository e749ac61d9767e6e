// Release polling; see release_poller.h.
#include "gateway/server/release_poller.h"

#include <google/protobuf/descriptor.h>

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"
#include "bkkbudget/budget/v1/budget.pb.h"
#include "common/log.h"

namespace bkk::gateway {

void PollReleaseOnce(Backend* backend, Gateway* gateway, const std::function<void()>& done) {
  CallOptions options;
  options.deadline = std::chrono::system_clock::now() + std::chrono::seconds(2);
  backend->GetRelease(
      options, [gateway, done](const grpc::Status& status, const bkkbudget::budget::v1::GetReleaseResponse& response) {
        if (status.ok()) {
          // Only a plain hex version goes into ETags and cache keys.
          const std::string& version = response.release().version();
          bool clean = !version.empty() && version.size() <= 64;
          for (char c : version) {
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') clean = false;
          }
          if (clean) gateway->SetRelease(version);
        }
        // While budget-data is down the last version stays: it
        // is still the data the cache holds.
        if (done) done();
      });
}

std::unique_ptr<PeriodicTask> NewReleasePoller(Backend* backend, Gateway* gateway, std::chrono::milliseconds interval) {
  static constexpr std::chrono::milliseconds kUntilKnown{250};
  return std::make_unique<PeriodicTask>([backend, gateway, interval] {
    PollReleaseOnce(backend, gateway);
    return gateway->release().empty() ? std::min(interval, kUntilKnown) : interval;
  });
}

}  // namespace bkk::gateway
