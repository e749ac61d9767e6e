// The gRPC face of budget-data: converts protos to core calls and back, and
// maps statuses in one place (common/grpc_status.h). No logic here.
#ifndef BKK_SERVICES_BUDGET_DATA_GRPC_BUDGET_GRPC_SERVICE_H_
#define BKK_SERVICES_BUDGET_DATA_GRPC_BUDGET_GRPC_SERVICE_H_

#include <grpcpp/support/byte_buffer.h>

#include <memory>
#include <mutex>
#include <string>

#include "bkkbudget/budget/v1/budget.grpc.pb.h"
#include "common/operators/operator_auth.h"
#include "services/budget_data/core/budget_core.h"

namespace bkk::budget {

// GetOverview, the landing page's one call, is served as bytes serialized
// once per snapshot (a release never changes); every other method is typed.
class BudgetGrpcService final : public bkkbudget::budget::v1::BudgetService::WithRawCallbackMethod_GetOverview<
                                    bkkbudget::budget::v1::BudgetService::Service> {
 public:
  // ImportDataset needs a data-admin operator (`auth`); the CLI importer
  // needs database access instead.
  BudgetGrpcService(BudgetCore* core, operators::OperatorAuth* auth) : core_(core), auth_(auth) {}

  using Ctx = grpc::ServerContext;
  grpc::Status ListFrameworks(Ctx* context, const bkkbudget::budget::v1::ListFrameworksRequest* request,
                              bkkbudget::budget::v1::ListFrameworksResponse* response) override;
  grpc::Status ListDistricts(Ctx* context, const bkkbudget::budget::v1::ListDistrictsRequest* request,
                             bkkbudget::budget::v1::ListDistrictsResponse* response) override;
  grpc::ServerUnaryReactor* GetOverview(grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
                                        grpc::ByteBuffer* response) override;
  grpc::Status ListTopAgencies(Ctx* context, const bkkbudget::budget::v1::ListTopAgenciesRequest* request,
                               bkkbudget::budget::v1::ListTopAgenciesResponse* response) override;
  grpc::Status GetBreakdown(Ctx* context, const bkkbudget::budget::v1::GetBreakdownRequest* request,
                            bkkbudget::budget::v1::GetBreakdownResponse* response) override;
  grpc::Status CompareDistrictYears(Ctx* context, const bkkbudget::budget::v1::CompareDistrictYearsRequest* request,
                                    bkkbudget::budget::v1::CompareDistrictYearsResponse* response) override;
  grpc::Status ListDistrictTotals(Ctx* context, const bkkbudget::budget::v1::ListDistrictTotalsRequest* request,
                                  bkkbudget::budget::v1::ListDistrictTotalsResponse* response) override;
  grpc::Status ListLines(Ctx* context, const bkkbudget::budget::v1::ListLinesRequest* request,
                         bkkbudget::budget::v1::ListLinesResponse* response) override;
  grpc::Status GetLine(Ctx* context, const bkkbudget::budget::v1::GetLineRequest* request,
                       bkkbudget::budget::v1::GetLineResponse* response) override;
  grpc::Status StreamLines(Ctx* context, const bkkbudget::budget::v1::StreamLinesRequest* request,
                           grpc::ServerWriter<bkkbudget::budget::v1::StreamLinesResponse>* writer) override;
  grpc::Status GetRelease(Ctx* context, const bkkbudget::budget::v1::GetReleaseRequest* request,
                          bkkbudget::budget::v1::GetReleaseResponse* response) override;
  grpc::Status ImportDataset(Ctx* context, const bkkbudget::budget::v1::ImportDatasetRequest* request,
                             bkkbudget::budget::v1::ImportDatasetResponse* response) override;

 private:
  BudgetCore* const core_;
  operators::OperatorAuth* const auth_;
  std::mutex overview_mu_;
  std::shared_ptr<const BudgetSnapshot> overview_of_;  // the snapshot overview_bytes_ answers for
  grpc::ByteBuffer overview_bytes_[2];                 // by Language: Thai, English
};

}  // namespace bkk::budget

#endif  // BKK_SERVICES_BUDGET_DATA_GRPC_BUDGET_GRPC_SERVICE_H_
