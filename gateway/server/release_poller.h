// Follows budget-data's dataset release: asks BudgetService.GetRelease
// every few seconds (asynchronously, on the server's io threads) and tells
// the gateway, which keys its budget cache and ETags by the version.
#ifndef BKK_GATEWAY_SERVER_RELEASE_POLLER_H_
#define BKK_GATEWAY_SERVER_RELEASE_POLLER_H_

#include <chrono>

#include "gateway/core/backend.h"
#include "gateway/core/gateway.h"
#include "gateway/server/http_server.h"

namespace bkk::gateway {

// Polls now and then every `interval` until the server shuts down.
void StartReleasePoller(HttpServer* server, Backend* backend, Gateway* gateway, std::chrono::milliseconds interval);

// One poll; `done` (optional) runs when the answer is in.
void PollReleaseOnce(Backend* backend, Gateway* gateway, std::function<void()> done = nullptr);

}  // namespace bkk::gateway

#endif  // BKK_GATEWAY_SERVER_RELEASE_POLLER_H_
