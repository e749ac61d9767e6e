// Follows budget-data's dataset release: asks BudgetService.GetRelease
// every few seconds (asynchronously) and tells the gateway, which keys its
// budget cache and ETags by the version.
#ifndef BKK_GATEWAY_SERVER_RELEASE_POLLER_H_
#define BKK_GATEWAY_SERVER_RELEASE_POLLER_H_

#include <chrono>
#include <memory>

#include "common/periodic_task.h"
#include "gateway/core/backend.h"
#include "gateway/core/gateway.h"

namespace bkk::gateway {

// Polls now, every 250 ms until the first release is known (the gateway is
// not ready before), then every `interval`. Start it; it stops when destroyed.
std::unique_ptr<PeriodicTask> NewReleasePoller(Backend* backend, Gateway* gateway, std::chrono::milliseconds interval);

// One poll; `done` (optional) runs when the answer is in.
void PollReleaseOnce(Backend* backend, Gateway* gateway, const std::function<void()>& done = nullptr);

}  // namespace bkk::gateway

#endif  // BKK_GATEWAY_SERVER_RELEASE_POLLER_H_
