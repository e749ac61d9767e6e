// PostgreSQL connection pool; see pg_pool.h.
#include "common/pg_pool.h"

#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace bkk {

PgPool::PgPool(std::string url, int max_size, std::string session_setup)
    : url_(std::move(url)), max_size_(max_size), session_setup_(std::move(session_setup)) {}

PgPool::~PgPool() = default;

absl::StatusOr<std::unique_ptr<pqxx::connection>> PgPool::Acquire(std::chrono::milliseconds wait) {
  std::unique_lock<std::mutex> lock(mu_);
  if (idle_.empty() && open_ >= max_size_) stats_.CountWait();
  if (!cv_.wait_for(lock, wait, [&] { return !idle_.empty() || open_ < max_size_; })) {
    stats_.CountTimeout();
    return absl::UnavailableError("all PostgreSQL connections are busy; try again");
  }
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    return conn;
  }
  ++open_;
  lock.unlock();
  try {
    auto conn = std::make_unique<pqxx::connection>(url_);
    if (!session_setup_.empty()) {
      pqxx::nontransaction setup(*conn);
      setup.exec(session_setup_);
    }
    return conn;
  } catch (const std::exception& e) {
    lock.lock();
    --open_;
    cv_.notify_one();
    return absl::UnavailableError(absl::StrCat("cannot connect to PostgreSQL: ", e.what()));
  }
}

void PgPool::Release(std::unique_ptr<pqxx::connection> conn, bool healthy) {
  std::lock_guard<std::mutex> lock(mu_);
  if (healthy && conn && conn->is_open()) {
    idle_.push_back(std::move(conn));
  } else {
    --open_;
  }
  cv_.notify_one();
}

absl::Status StatusFromCurrentPgException() {
  try {
    throw;
  } catch (const pqxx::broken_connection& e) {
    return absl::UnavailableError(absl::StrCat("PostgreSQL connection lost: ", e.what()));
  } catch (const pqxx::unique_violation& e) {
    return absl::AlreadyExistsError(e.what());
  } catch (const pqxx::in_doubt_error& e) {
    return absl::UnavailableError(absl::StrCat("PostgreSQL commit in doubt: ", e.what()));
  } catch (const pqxx::sql_error& e) {
    // Admin shutdown / cannot connect now arrive as sql_error with these states.
    const std::string& state = e.sqlstate();
    if (state.rfind("57P", 0) == 0 || state.rfind("08", 0) == 0) {
      return absl::UnavailableError(absl::StrCat("PostgreSQL unavailable: ", e.what()));
    }
    return absl::InternalError(absl::StrCat("PostgreSQL error ", state, ": ", e.what()));
  } catch (const std::exception& e) {
    return absl::InternalError(e.what());
  }
}

absl::Status PgPool::Run(const std::function<absl::Status(pqxx::connection&)>& work, std::chrono::milliseconds wait) {
  auto conn = Acquire(wait);
  if (!conn.ok()) {
    stats_.CountResult(conn.status());
    return conn.status();
  }
  absl::Status status;
  bool healthy = true;
  try {
    status = work(**conn);
  } catch (...) {
    status = StatusFromCurrentPgException();
    healthy = status.code() != absl::StatusCode::kUnavailable && (*conn)->is_open();
  }
  Release(std::move(*conn), healthy);
  stats_.CountResult(status);
  return status;
}

absl::Status PgPool::Ping() {
  return Run([](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    tx.exec("SELECT 1");
    return absl::OkStatus();
  });
}

}  // namespace bkk
